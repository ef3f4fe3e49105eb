{#- KPI rows of the workforce theme: active people, tenure over a year, monthly churn. -#}

{{ config(
    materialized='incremental' if target.type == 'duckdb' else 'table',
    incremental_strategy='delete+insert',
    unique_key='month_start',
) }}

with

worker_months as (

    -- a month before the first rebuilt one: its leavers are counted in the month after
    select * from {{ ref('int_worker_months_aggregated') }}
    where {{ in_months_to_build('month_start', lookback_months=1) }}

),

platform_months as (

    select * from {{ ref('int_worker_platform_months_joined') }}
    where {{ in_months_to_build('month_start', lookback_months=1) }}

),

data_months as (

    select distinct month_start from worker_months

),

platform_people as (

    select
        platform_months.month_start,
        platform_months.group_code,
        platform_months.platform_code,
        platform_months.worker_key,
        platform_months.active_next_month_on_platform,
        worker_months.tenure_months

    from platform_months
    inner join worker_months
        on
            platform_months.worker_key = worker_months.worker_key
            and platform_months.month_start = worker_months.month_start

),

-- leavers are counted in the month after the one they were last active in
churn_base as (

    select
        cast({{ dbt.dateadd('month', 1, 'worker_months.month_start') }} as date) as month_start,
        worker_months.group_code,
        worker_months.district_code,
        case when worker_months.active_next_month then 0 else 1 end as is_leaver

    from worker_months
    inner join data_months
        on cast({{ dbt.dateadd('month', 1, 'worker_months.month_start') }} as date) = data_months.month_start

),

platform_churn_base as (

    select
        cast({{ dbt.dateadd('month', 1, 'platform_people.month_start') }} as date) as month_start,
        platform_people.group_code,
        platform_people.platform_code,
        case when platform_people.active_next_month_on_platform then 0 else 1 end as is_leaver

    from platform_people
    inner join data_months
        on cast({{ dbt.dateadd('month', 1, 'platform_people.month_start') }} as date) = data_months.month_start

),

kpi_rows as (

    select
        'workforce_active' as kpi_id,
        month_start,
        'city' as area_level,
        cast(null as {{ dbt.type_string() }}) as district_code,
        cast(null as {{ dbt.type_string() }}) as group_code,
        cast(null as {{ dbt.type_string() }}) as platform_code,
        cast(count(*) as double) as kpi_value,
        cast(null as double) as numerator,
        cast(null as double) as denominator
    from worker_months
    group by month_start

    union all

    select
        'workforce_active',
        month_start,
        'city',
        null,
        group_code,
        null,
        cast(count(*) as double),
        null,
        null
    from worker_months
    group by month_start, group_code

    union all

    select
        'workforce_active',
        month_start,
        'district',
        district_code,
        null,
        null,
        cast(count(*) as double),
        null,
        null
    from worker_months
    group by month_start, district_code

    union all

    select
        'workforce_active',
        month_start,
        'district',
        district_code,
        group_code,
        null,
        cast(count(*) as double),
        null,
        null
    from worker_months
    group by month_start, district_code, group_code

    union all

    select
        'workforce_active',
        month_start,
        'city',
        null,
        group_code,
        platform_code,
        cast(count(distinct worker_key) as double),
        null,
        null
    from platform_people
    group by month_start, group_code, platform_code

    union all

    select
        'tenure_over_1y_share',
        month_start,
        'city',
        null,
        group_code,
        null,
        sum(case when tenure_months >= 12 then 1.0 else 0.0 end) / count(*),
        sum(case when tenure_months >= 12 then 1.0 else 0.0 end),
        cast(count(*) as double)
    from worker_months
    group by month_start, group_code

    union all

    select
        'tenure_over_1y_share',
        month_start,
        'district',
        district_code,
        group_code,
        null,
        sum(case when tenure_months >= 12 then 1.0 else 0.0 end) / count(*),
        sum(case when tenure_months >= 12 then 1.0 else 0.0 end),
        cast(count(*) as double)
    from worker_months
    group by month_start, district_code, group_code

    union all

    select
        'tenure_over_1y_share',
        month_start,
        'city',
        null,
        group_code,
        platform_code,
        sum(case when tenure_months >= 12 then 1.0 else 0.0 end) / count(*),
        sum(case when tenure_months >= 12 then 1.0 else 0.0 end),
        cast(count(*) as double)
    from platform_people
    group by month_start, group_code, platform_code

    union all

    select
        'monthly_churn_rate',
        month_start,
        'city',
        null,
        group_code,
        null,
        sum(is_leaver) * 1.0 / count(*),
        cast(sum(is_leaver) as double),
        cast(count(*) as double)
    from churn_base
    group by month_start, group_code

    union all

    select
        'monthly_churn_rate',
        month_start,
        'district',
        district_code,
        group_code,
        null,
        sum(is_leaver) * 1.0 / count(*),
        cast(sum(is_leaver) as double),
        cast(count(*) as double)
    from churn_base
    group by month_start, district_code, group_code

    union all

    select
        'monthly_churn_rate',
        month_start,
        'city',
        null,
        group_code,
        platform_code,
        sum(is_leaver) * 1.0 / count(*),
        cast(sum(is_leaver) as double),
        cast(count(*) as double)
    from platform_churn_base
    group by month_start, group_code, platform_code

)

select * from kpi_rows
where {{ in_months_to_build('month_start') }}
