{#- Active people and those of them insured, by insurance type, per month, group, district,
    main platform and role: what the rights theme's rates are summed from. -#}

with

worker_months as (

    select * from {{ ref('int_worker_months_aggregated') }}
    where {{ in_months_to_build('month_start') }}

),

insurance as (

    select * from {{ ref('int_insurance_person_months_pivoted') }}
    where {{ in_months_to_build('month_start') }}

),

counted as (

    select
        worker_months.month_start,
        worker_months.group_code,
        worker_months.district_code,
        worker_months.main_platform_code as platform_code,
        worker_months.role_code,
        count(*) as people,
        sum(coalesce(insurance.has_pension, 0)) as pension,
        sum(coalesce(insurance.has_medical, 0)) as medical,
        sum(coalesce(insurance.has_work_injury, 0)) as work_injury,
        sum(coalesce(insurance.has_occupational_injury, 0)) as occupational_injury

    from worker_months
    left join insurance
        on
            worker_months.worker_key = insurance.worker_key
            and worker_months.month_start = insurance.month_start
    group by
        worker_months.month_start,
        worker_months.group_code,
        worker_months.district_code,
        worker_months.main_platform_code,
        worker_months.role_code

)

select
    {{ surrogate_key(['month_start', 'group_code', 'district_code', 'platform_code', 'role_code']) }}
        as insured_workers_id,
    counted.*
from counted
