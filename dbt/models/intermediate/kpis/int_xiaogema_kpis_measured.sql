{#- KPI rows of the 小哥码 theme: platforms linked, riders registered, minutes saved per
    entry, registered riders' extra income, compound entries. -#}

with

worker_months as (

    select * from {{ ref('int_worker_months_aggregated') }}

),

first_registrations as (

    select * from {{ ref('int_workers_registered') }}

),

registrations as (

    select * from {{ ref('stg_xiaogema__registrations') }}

),

compound_entries as (

    select * from {{ ref('stg_xiaogema__compound_entries') }}

),

platforms as (

    select * from {{ ref('platforms') }}

),

streets as (

    select * from {{ ref('streets') }}

),

data_months as (

    select distinct month_start from worker_months

),

linked_platforms as (

    select
        data_months.month_start,
        count(distinct linked.platform_code) as platform_count

    from data_months
    left join (  -- noqa: ST05
        select
            registrations.platform_code,
            registrations.registration_date
        from registrations
        inner join platforms
            on registrations.platform_code = platforms.platform_code
        where platforms.xiaogema_linked
    ) as linked
        on linked.registration_date <= {{ month_end('data_months.month_start') }}
    group by data_months.month_start

),

riders as (

    select
        worker_months.month_start,
        worker_months.district_code,
        worker_months.main_platform_code as platform_code,
        worker_months.income_yuan,
        case
            when first_registrations.first_registration_date <= {{ month_end('worker_months.month_start') }}
                then 1
            else 0
        end as is_registered

    from worker_months
    left join first_registrations
        on worker_months.worker_key = first_registrations.worker_key
    where worker_months.group_code = 'delivery' and worker_months.role_code = 'frontline'

),

income_by_status as (

    select
        month_start,
        avg(case when is_registered = 1 then income_yuan end) as registered_income,
        avg(case when is_registered = 0 then income_yuan end) as unregistered_income

    from riders
    group by month_start

),

entries as (

    select
        compound_entries.month_start,
        streets.district_code,
        compound_entries.platform_code,
        compound_entries.entries,
        compound_entries.seconds_saved

    from compound_entries
    inner join streets
        on compound_entries.street_code = streets.street_code

),

kpi_rows as (

    select
        'xiaogema_platforms' as kpi_id,
        month_start,
        'city' as area_level,
        cast(null as {{ dbt.type_string() }}) as district_code,
        'delivery' as group_code,
        cast(null as {{ dbt.type_string() }}) as platform_code,
        cast(platform_count as double) as kpi_value,
        cast(null as double) as numerator,
        cast(null as double) as denominator
    from linked_platforms

    union all

    select
        'xiaogema_registration_rate',
        month_start,
        'city',
        null,
        'delivery',
        null,
        sum(is_registered) * 1.0 / count(*),
        cast(sum(is_registered) as double),
        cast(count(*) as double)
    from riders
    group by month_start

    union all

    select
        'xiaogema_registration_rate',
        month_start,
        'district',
        district_code,
        'delivery',
        null,
        sum(is_registered) * 1.0 / count(*),
        cast(sum(is_registered) as double),
        cast(count(*) as double)
    from riders
    group by month_start, district_code

    union all

    select
        'xiaogema_registration_rate',
        month_start,
        'city',
        null,
        'delivery',
        platform_code,
        sum(is_registered) * 1.0 / count(*),
        cast(sum(is_registered) as double),
        cast(count(*) as double)
    from riders
    group by month_start, platform_code

    union all

    select
        'xiaogema_income_uplift_yuan',
        month_start,
        'city',
        null,
        'delivery',
        null,
        registered_income - unregistered_income,
        null,
        null
    from income_by_status
    where registered_income is not null and unregistered_income is not null

    union all

    select
        'xiaogema_minutes_saved_per_order',
        month_start,
        'city',
        null,
        'delivery',
        null,
        cast(sum(seconds_saved) as {{ type_double() }}) / 60 / sum(entries),
        cast(sum(seconds_saved) as {{ type_double() }}) / 60,
        cast(sum(entries) as double)
    from entries
    group by month_start
    having sum(entries) > 0

    union all

    select
        'xiaogema_minutes_saved_per_order',
        month_start,
        'district',
        district_code,
        'delivery',
        null,
        cast(sum(seconds_saved) as {{ type_double() }}) / 60 / sum(entries),
        cast(sum(seconds_saved) as {{ type_double() }}) / 60,
        cast(sum(entries) as double)
    from entries
    group by month_start, district_code
    having sum(entries) > 0

    union all

    select
        'xiaogema_minutes_saved_per_order',
        month_start,
        'city',
        null,
        'delivery',
        platform_code,
        cast(sum(seconds_saved) as {{ type_double() }}) / 60 / sum(entries),
        cast(sum(seconds_saved) as {{ type_double() }}) / 60,
        cast(sum(entries) as double)
    from entries
    group by month_start, platform_code
    having sum(entries) > 0

    union all

    select
        'xiaogema_compound_entries',
        month_start,
        'city',
        null,
        'delivery',
        null,
        cast(sum(entries) as double),
        null,
        null
    from entries
    group by month_start

    union all

    select
        'xiaogema_compound_entries',
        month_start,
        'district',
        district_code,
        'delivery',
        null,
        cast(sum(entries) as double),
        null,
        null
    from entries
    group by month_start, district_code

)

select * from kpi_rows
