{#- KPI rows of the rights theme: insurance participation of active front-line workers by
    type (people insured in the month / people active in it), and station managers' pension. -#}

with

insured as (

    select * from {{ ref('int_insured_workers_counted') }}
    where {{ in_months_to_build('month_start') }}

),

insurance_types as (

    select * from {{ ref('insurance_types') }}

),

-- one row per insurance type: the people it covers
status as (

    select
        insurance_types.kpi_id,
        insurance_types.insurance_type_code,
        insured.month_start,
        insured.district_code,
        insured.group_code,
        insured.platform_code,
        insured.role_code,
        insured.people,
        case insurance_types.insurance_type_code
            when 'pension' then insured.pension
            when 'medical' then insured.medical
            when 'work_injury' then insured.work_injury
            when 'occupational_injury' then insured.occupational_injury
        end as insured_people

    from insured
    cross join insurance_types

),

measures as (

    -- front-line workers, in their district and on their main platform
    select
        kpi_id,
        'ratio' as kind,
        month_start,
        district_code,
        group_code,
        platform_code,
        sum(insured_people) as numerator,
        sum(people) as denominator
    from status
    where role_code = 'frontline'
    group by kpi_id, month_start, district_code, group_code, platform_code

    union all

    -- station managers: city-wide only
    select
        'insurance_rate_pension_managers',
        'ratio',
        month_start,
        null,
        group_code,
        null,
        sum(insured_people),
        sum(people)
    from status
    where role_code = 'station_manager' and insurance_type_code = 'pension'
    group by month_start, group_code

),

kpi_rows as (

    {{ kpi_rows('measures', grains=['district_code', 'group_code', 'platform_code']) }}

)

select * from kpi_rows
