{#- KPI rows of the governance theme: demands, round tables, legal aid, volunteer teams and deeds. -#}

with

spine as (

    select * from {{ ref('int_months_reported') }}

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

team_registry as (

    select * from {{ ref('stg_organisation__volunteer_teams') }}

),

deeds as (

    select * from {{ ref('stg_organisation__volunteer_deeds') }}

),

roundtables as (

    select * from {{ ref('stg_organisation__roundtables') }}

),

streets as (

    select * from {{ ref('streets') }}

),

counts as (

    select
        'volunteer_teams' as kpi_id,
        month_start,
        district_code,
        count(*) as numerator,
        cast(null as {{ type_double() }}) as denominator
    from teams
    group by month_start, district_code

    union all

    select
        'volunteer_deeds' as kpi_id,
        deeds.delivery_month as month_start,
        team_registry.district_code,
        count(*) as numerator,
        cast(null as {{ type_double() }}) as denominator
    from deeds
    inner join team_registry
        on
            deeds.team_id = team_registry.team_id
            and deeds.delivery_month = team_registry.delivery_month
    group by deeds.delivery_month, team_registry.district_code

    union all

    select
        'roundtable_meetings' as kpi_id,
        roundtables.delivery_month as month_start,
        streets.district_code,
        count(*) as numerator,
        cast(null as {{ type_double() }}) as denominator
    from roundtables
    inner join streets
        on roundtables.street_code = streets.street_code
    group by roundtables.delivery_month, streets.district_code

    union all

    select
        'legal_aid_cases_closed' as kpi_id,
        closed_month as month_start,
        district_code,
        count(*) as numerator,
        cast(null as {{ type_double() }}) as denominator
    from cases
    where closed_month is not null
    group by closed_month, district_code

),

closure as (

    select
        'demand_closure_rate' as kpi_id,
        received_month as month_start,
        district_code,
        sum(is_closed_in_received_month) as numerator,
        count(*) as denominator
    from demands
    group by received_month, district_code

),

median_days as (

    select
        'demand_median_days_to_close' as kpi_id,
        resolved_month as month_start,
        'city' as area_level,
        cast(null as {{ dbt.type_string() }}) as district_code,
        cast(null as {{ dbt.type_string() }}) as group_code,
        cast(null as {{ dbt.type_string() }}) as platform_code,
        cast(percentile_cont(0.5) within group (order by days_to_close) as {{ type_double() }})
            as kpi_value,
        cast(null as {{ type_double() }}) as numerator,
        cast(null as {{ type_double() }}) as denominator
    from demands
    where resolved_month is not null
    group by resolved_month

    union all

    select
        'demand_median_days_to_close' as kpi_id,
        resolved_month as month_start,
        'district' as area_level,
        district_code,
        cast(null as {{ dbt.type_string() }}) as group_code,
        cast(null as {{ dbt.type_string() }}) as platform_code,
        cast(percentile_cont(0.5) within group (order by days_to_close) as {{ type_double() }})
            as kpi_value,
        cast(null as {{ type_double() }}) as numerator,
        cast(null as {{ type_double() }}) as denominator
    from demands
    where resolved_month is not null and district_code is not null
    group by resolved_month, district_code

),

kpi_rows as (

    {{ kpi_area_rows('counts', spine='spine') }}

    union all

    {{ kpi_area_rows('closure', ratio=true) }}

    union all

    select * from median_days

)

select * from kpi_rows
