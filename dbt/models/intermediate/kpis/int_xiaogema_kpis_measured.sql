{#- KPI rows of the 小哥码 theme: platforms linked, riders registered, minutes saved per
    entry, registered riders' extra income, compound entries. All are about delivery riders. -#}

with

worker_months as (

    select * from {{ ref('int_worker_months_aggregated') }}

),

first_registrations as (

    select * from {{ ref('int_workers_registered') }}

),

use_measures as (

    select * from {{ ref('int_xiaogema_uses_measured') }}

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

measures as (

    select
        'xiaogema_registration_rate' as kpi_id,
        'ratio' as kind,
        month_start,
        district_code,
        'delivery' as group_code,
        platform_code,
        sum(is_registered) as numerator,
        count(*) as denominator
    from riders
    group by month_start, district_code, platform_code

    union all

    -- computed city-wide here (a difference of two means does not add up over districts)
    select
        'xiaogema_income_uplift_yuan',
        'amount',
        month_start,
        null,
        'delivery',
        null,
        registered_income - unregistered_income,
        null
    from income_by_status
    where registered_income is not null and unregistered_income is not null

),

kpi_rows as (

    {{ kpi_rows(['use_measures', 'measures'], grains=['district_code', 'group_code', 'platform_code']) }}

)

select * from kpi_rows
