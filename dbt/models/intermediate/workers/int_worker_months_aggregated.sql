{#-
    One row per person and month worked, across platforms (people, not platform rows).
    - Group, district, street and work type come from the main platform: the one with the most
      orders that month among those whose roster gives a district, else the one with the most
      orders (ties: platform code). With no roster row on any platform the district is
      the unknown district (var unknown_district_code), so district rows still sum to the city.
    - Role: a station manager on any platform's roster that month is a manager; everyone else,
      including people on no roster, is front-line.
    - Tenure counts from the first onboarding: the earliest onboarding date on any of the
      person's roster rows, or the first month with activity if that is earlier or there is none.
-#}

{{ config(
    materialized='incremental' if target.type == 'duckdb' else 'table',
    incremental_strategy='delete+insert',
    unique_key='month_start',
) }}

with

platform_months as (

    select * from {{ ref('int_worker_platform_months_joined') }}
    where {{ in_months_to_build('month_start') }}

),

-- every month, not only those rebuilt: tenure counts from the first onboarding ever
all_platform_months as (

    select * from {{ ref('int_worker_platform_months_joined') }}

),

first_onboarding as (

    select
        worker_key,
        least(
            coalesce(min(first_onboard_date), min(month_start)),
            min(month_start)
        ) as first_onboard_date

    from all_platform_months
    group by worker_key

),

ranked as (

    select
        *,
        row_number() over (
            partition by worker_key, month_start
            order by
                case when district_code is null then 1 else 0 end asc,
                orders desc,
                platform_code asc
        ) as platform_rank

    from platform_months

),

totals as (

    select
        worker_key,
        month_start,
        count(*) as platforms_count,
        sum(active_days) as active_days,
        sum(orders) as orders,
        sum(online_hours) as online_hours,
        sum(income_yuan) as income_yuan,
        sum(injury_covered_orders) as injury_covered_orders,
        max(case when role_code = 'station_manager' then 1 else 0 end) as manager_flag

    from platform_months
    group by worker_key, month_start

),

next_month as (

    select distinct
        worker_key,
        cast({{ dbt.dateadd('month', -1, 'month_start') }} as date) as month_start

    from platform_months

),

final as (

    select
        totals.worker_key,
        totals.month_start,
        ranked.group_code,
        ranked.platform_code as main_platform_code,
        coalesce(ranked.district_code, '{{ var("unknown_district_code") }}') as district_code,
        ranked.street_code,
        ranked.work_type_code,
        case when totals.manager_flag = 1 then 'station_manager' else 'frontline' end as role_code,
        ranked.age_band,
        ranked.sex,
        ranked.home_province_code,
        totals.platforms_count,
        totals.active_days,
        totals.orders,
        totals.online_hours,
        totals.income_yuan,
        totals.injury_covered_orders,
        first_onboarding.first_onboard_date,
        {{ dbt.datediff(
            dbt.date_trunc('month', 'first_onboarding.first_onboard_date'),
            'totals.month_start',
            'month'
        ) }} as tenure_months,
        next_month.worker_key is not null as active_next_month

    from totals
    inner join ranked
        on
            totals.worker_key = ranked.worker_key
            and totals.month_start = ranked.month_start
            and ranked.platform_rank = 1
    inner join first_onboarding
        on totals.worker_key = first_onboarding.worker_key
    left join next_month
        on
            totals.worker_key = next_month.worker_key
            and totals.month_start = next_month.month_start

)

select * from final
