{#- KPI rows of the workforce theme: active people, tenure over a year, monthly churn. -#}

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

-- people once per month in their district; and once on every platform they worked for,
-- city-wide (a person on two platforms counts on both)
people as (

    select
        month_start,
        district_code,
        group_code,
        cast(null as {{ dbt.type_string() }}) as platform_code,
        worker_key,
        tenure_months,
        active_next_month as stays
    from worker_months

    union all

    select
        platform_months.month_start,
        null,
        platform_months.group_code,
        platform_months.platform_code,
        platform_months.worker_key,
        worker_months.tenure_months,
        platform_months.active_next_month_on_platform
    from platform_months
    inner join worker_months
        on
            platform_months.worker_key = worker_months.worker_key
            and platform_months.month_start = worker_months.month_start

),

-- leavers are counted in the month after the one they were last active in
churn_base as (

    select
        data_months.month_start,
        people.district_code,
        people.group_code,
        people.platform_code,
        case when people.stays then 0 else 1 end as is_leaver

    from people
    inner join data_months
        on cast({{ dbt.dateadd('month', 1, 'people.month_start') }} as date) = data_months.month_start

),

measures as (

    -- all groups together, per district
    select
        'workforce_active' as kpi_id,
        'count' as kind,
        month_start,
        district_code,
        cast(null as {{ dbt.type_string() }}) as group_code,
        cast(null as {{ dbt.type_string() }}) as platform_code,
        count(*) as numerator,
        cast(null as {{ type_double() }}) as denominator
    from worker_months
    group by month_start, district_code

    union all

    select
        'workforce_active',
        'count',
        month_start,
        district_code,
        group_code,
        platform_code,
        count(distinct worker_key),
        null
    from people
    group by month_start, district_code, group_code, platform_code

    union all

    select
        'tenure_over_1y_share',
        'ratio',
        month_start,
        district_code,
        group_code,
        platform_code,
        sum(case when tenure_months >= 12 then 1 else 0 end),
        count(*)
    from people
    group by month_start, district_code, group_code, platform_code

    union all

    select
        'monthly_churn_rate',
        'ratio',
        month_start,
        district_code,
        group_code,
        platform_code,
        sum(is_leaver),
        count(*)
    from churn_base
    group by month_start, district_code, group_code, platform_code

),

kpi_rows as (

    {{ kpi_rows('measures', grains=['district_code', 'group_code', 'platform_code']) }}

)

select * from kpi_rows
where {{ in_months_to_build('month_start') }}
