{#- KPI rows of the rights theme: insurance participation of active front-line workers by
    type (people insured in the month / people active in it), and station managers' pension. -#}

{{ config(
    materialized='incremental' if target.type == 'duckdb' else 'table',
    incremental_strategy='delete+insert',
    unique_key='month_start',
) }}

with

worker_months as (

    select * from {{ ref('int_worker_months_aggregated') }}
    where {{ in_months_to_build('month_start') }}

),

insurance as (

    select * from {{ ref('int_insurance_person_months_pivoted') }}
    where {{ in_months_to_build('month_start') }}

),

insurance_types as (

    select * from {{ ref('insurance_types') }}

),

status as (

    select
        worker_months.month_start,
        worker_months.group_code,
        worker_months.district_code,
        worker_months.main_platform_code as platform_code,
        worker_months.role_code,
        insurance_types.insurance_type_code,
        insurance_types.kpi_id,
        case insurance_types.insurance_type_code
            when 'pension' then coalesce(insurance.has_pension, 0)
            when 'medical' then coalesce(insurance.has_medical, 0)
            when 'work_injury' then coalesce(insurance.has_work_injury, 0)
            when 'occupational_injury' then coalesce(insurance.has_occupational_injury, 0)
        end as is_insured

    from worker_months
    cross join insurance_types
    left join insurance
        on
            worker_months.worker_key = insurance.worker_key
            and worker_months.month_start = insurance.month_start

),

frontline as (

    select * from status
    where role_code = 'frontline'

),

managers as (

    select * from status
    where role_code = 'station_manager' and insurance_type_code = 'pension'

),

kpi_rows as (

    select
        kpi_id,
        month_start,
        'city' as area_level,
        cast(null as {{ dbt.type_string() }}) as district_code,
        group_code,
        cast(null as {{ dbt.type_string() }}) as platform_code,
        sum(is_insured) * 1.0 / count(*) as kpi_value,
        cast(sum(is_insured) as double) as numerator,
        cast(count(*) as double) as denominator
    from frontline
    group by kpi_id, month_start, group_code

    union all

    select
        kpi_id,
        month_start,
        'district',
        district_code,
        group_code,
        null,
        sum(is_insured) * 1.0 / count(*),
        cast(sum(is_insured) as double),
        cast(count(*) as double)
    from frontline
    group by kpi_id, month_start, district_code, group_code

    union all

    select
        kpi_id,
        month_start,
        'city',
        null,
        group_code,
        platform_code,
        sum(is_insured) * 1.0 / count(*),
        cast(sum(is_insured) as double),
        cast(count(*) as double)
    from frontline
    group by kpi_id, month_start, group_code, platform_code

    union all

    select
        'insurance_rate_pension_managers',
        month_start,
        'city',
        null,
        group_code,
        null,
        sum(is_insured) * 1.0 / count(*),
        cast(sum(is_insured) as double),
        cast(count(*) as double)
    from managers
    group by month_start, group_code

)

select * from kpi_rows
