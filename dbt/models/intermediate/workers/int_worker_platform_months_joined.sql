{#- One row per person, platform and month worked: the month's activity with the spell's attributes. -#}

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

spells as (

    select * from {{ ref('int_worker_spells_derived') }}

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
        spells.group_code,
        spells.district_code,
        spells.street_code,
        spells.work_type_code,
        spells.role_code,
        spells.age_band,
        spells.sex,
        spells.home_province_code,
        spells.first_onboard_date,
        activity.active_days,
        activity.orders,
        activity.online_hours,
        activity.income_yuan,
        activity.injury_covered_orders,
        next_month_on_platform.worker_key is not null as active_next_month_on_platform

    from activity
    inner join spells
        on
            activity.worker_key = spells.worker_key
            and activity.platform_code = spells.platform_code
    left join next_month_on_platform
        on
            activity.worker_key = next_month_on_platform.worker_key
            and activity.platform_code = next_month_on_platform.platform_code
            and activity.month_start = next_month_on_platform.month_start

)

select * from joined
