{#- KPI rows of the governance theme: demands, round tables, legal aid, volunteer teams and deeds. -#}

with

spine as (

    select * from {{ ref('int_district_months_spanned') }}

),

activity_measures as (

    select * from {{ ref('int_governance_activities_counted') }}

),

demands as (

    select * from {{ ref('int_demands_tracked') }}

),

cases as (

    select * from {{ ref('int_legal_aid_cases_tracked') }}

),

teams as (

    select * from {{ ref('int_volunteer_team_months_expanded') }}

),

measures as (

    select
        'volunteer_teams' as kpi_id,
        'count' as kind,
        month_start,
        district_code,
        count(*) as numerator,
        cast(null as {{ type_double() }}) as denominator
    from teams
    group by month_start, district_code

    union all

    select
        'legal_aid_cases_closed',
        'count',
        closed_month,
        district_code,
        count(*),
        null
    from cases
    where closed_month is not null
    group by closed_month, district_code

    union all

    select
        'demand_closure_rate',
        'ratio',
        received_month,
        district_code,
        sum(is_closed_in_received_month),
        count(*)
    from demands
    group by received_month, district_code

    union all

    -- one row per demand resolved in the month: the median is over demands, not districts
    select
        'demand_median_days_to_close',
        'median',
        resolved_month,
        district_code,
        days_to_close,
        null
    from demands
    where resolved_month is not null

),

kpi_rows as (

    {{ kpi_rows(['activity_measures', 'measures'], spine='spine') }}

)

select * from kpi_rows
