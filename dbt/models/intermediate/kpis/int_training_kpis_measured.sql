{#- KPI rows of the training theme: person-times in the month and cumulative from the first report month. -#}

with

spine as (

    select * from {{ ref('int_district_months_spanned') }}

),

attendances as (

    select * from {{ ref('int_training_attendances_joined') }}

),

-- zero-filled first, so the running total has a row for every month of every district
monthly as (

    select
        spine.month_start,
        spine.district_code,
        count(attendances.sign_in_no) as person_times

    from spine
    left join attendances
        on
            spine.month_start = attendances.month_start
            and spine.district_code = attendances.district_code
    group by spine.month_start, spine.district_code

),

measures as (

    select
        'training_person_times' as kpi_id,
        'count' as kind,
        month_start,
        district_code,
        person_times as numerator,
        cast(null as {{ type_double() }}) as denominator
    from monthly

    union all

    select
        'training_person_times_cum' as kpi_id,
        'count' as kind,
        month_start,
        district_code,
        sum(person_times) over (
            partition by district_code order by month_start
            rows between unbounded preceding and current row
        ) as numerator,
        cast(null as {{ type_double() }}) as denominator
    from monthly

),

kpi_rows as (

    {{ kpi_rows('measures', spine='spine') }}

)

select * from kpi_rows
