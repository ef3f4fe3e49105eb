{#-
    One row per person, platform and month worked: the month's activity with the person's
    roster attributes on that platform as of that month. They come from the platform's roster
    row for the month; when that row is missing (not delivered, or quarantined), from the
    latest earlier roster row of the same platform. Never from a later month, so a new
    delivery cannot rewrite an earlier month. With no roster row up to the month, district,
    role and work type are null (the person still counts as active).
-#}

{{ config(
    materialized='incremental' if target.type == 'duckdb' else 'table',
    incremental_strategy='delete+insert',
    unique_key='month_start',
) }}

with

activity as (

    select * from {{ ref('stg_platform__monthly_activities') }}
    where {{ in_months_to_build('month_start') }}

),

-- the roster history of the people and platforms in the months built, whole: the same
-- attributes as from every roster row, without ordering the rows of everyone else (in an
-- incremental build, most of the roster)
rosters as (

    select * from {{ ref('stg_platform__worker_rosters') }}
    where (worker_key, platform_code) in (
        select
            activity.worker_key,
            activity.platform_code
        from activity
    )

),

platforms as (

    select * from {{ ref('platforms') }}

),

work_types as (

    select * from {{ ref('work_types') }}

),

worker_roles as (

    select * from {{ ref('worker_roles') }}

),

-- the person's first onboarding on the platform, from every roster row delivered so far
first_onboardings as (

    select
        worker_key,
        platform_code,
        min(onboard_date) as first_onboard_date

    from rosters
    group by worker_key, platform_code

),

-- each roster row holds from its month until the platform's next roster row for the person
roster_periods as (

    select
        worker_key,
        platform_code,
        delivery_month as valid_from,
        lead(delivery_month) over (
            partition by worker_key, platform_code
            order by delivery_month
        ) as valid_until,
        district_code,
        street_code,
        work_type_name,
        role_name,
        age_band,
        sex,
        home_province_code

    from rosters

),

next_month_on_platform as (

    select distinct
        worker_key,
        platform_code,
        cast({{ dbt.dateadd('month', -1, 'month_start') }} as date) as month_start

    from activity

),

joined as (

    select
        activity.worker_key,
        activity.platform_code,
        activity.month_start,
        platforms.group_code,
        roster_periods.district_code,
        roster_periods.street_code,
        work_types.work_type_code,
        worker_roles.role_code,
        roster_periods.age_band,
        roster_periods.sex,
        roster_periods.home_province_code,
        first_onboardings.first_onboard_date,
        activity.active_days,
        activity.orders,
        activity.online_hours,
        activity.income_yuan,
        activity.injury_covered_orders,
        next_month_on_platform.worker_key is not null as active_next_month_on_platform

    from activity
    inner join platforms
        on activity.platform_code = platforms.platform_code
    left join roster_periods
        on
            activity.worker_key = roster_periods.worker_key
            and activity.platform_code = roster_periods.platform_code
            and activity.month_start >= roster_periods.valid_from
            and (activity.month_start < roster_periods.valid_until or roster_periods.valid_until is null)
    left join work_types
        on roster_periods.work_type_name = work_types.work_type_name
    left join worker_roles
        on roster_periods.role_name = worker_roles.role_name
    left join first_onboardings
        on
            activity.worker_key = first_onboardings.worker_key
            and activity.platform_code = first_onboardings.platform_code
    left join next_month_on_platform
        on
            activity.worker_key = next_month_on_platform.worker_key
            and activity.platform_code = next_month_on_platform.platform_code
            and activity.month_start = next_month_on_platform.month_start

)

select * from joined
