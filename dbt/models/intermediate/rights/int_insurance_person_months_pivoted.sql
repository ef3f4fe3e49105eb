{#- One row per person and month with any insurance: one flag (1/0) per insurance type. -#}

{{ config(
    materialized='incremental' if target.type == 'duckdb' else 'table',
    incremental_strategy='delete+insert',
    unique_key='month_start',
) }}

with

enrolments as (

    select * from {{ ref('stg_social_insurance__enrolments') }}
    where {{ in_months_to_build('month_start') }}

),

insurance_types as (

    select * from {{ ref('insurance_types') }}

),

pivoted as (

    select
        enrolments.worker_key,
        enrolments.month_start,
        max(case when insurance_types.insurance_type_code = 'pension' then 1 else 0 end) as has_pension,
        max(case when insurance_types.insurance_type_code = 'medical' then 1 else 0 end) as has_medical,
        max(case when insurance_types.insurance_type_code = 'work_injury' then 1 else 0 end) as has_work_injury,
        max(case when insurance_types.insurance_type_code = 'occupational_injury' then 1 else 0 end)
            as has_occupational_injury

    from enrolments
    inner join insurance_types
        on enrolments.insurance_type_name = insurance_types.insurance_type_name
    group by enrolments.worker_key, enrolments.month_start

)

select * from pivoted
