{#- Governance activities of each delivery month, per district, as count measures: round-table
    meetings (in the district of their street) and volunteer deeds (in their team's district,
    from that month's team registry). -#}

with

roundtables as (

    select * from {{ ref('stg_organisation__roundtables') }}

),

streets as (

    select * from {{ ref('streets') }}

),

deeds as (

    select * from {{ ref('stg_organisation__volunteer_deeds') }}

),

-- the registry only gives each team's district in the month
team_registry as (

    select
        team_id,
        delivery_month,
        district_code
    from {{ ref('stg_organisation__volunteer_teams') }}

),

activities as (

    select
        roundtables.delivery_month as month_start,
        streets.district_code,
        'roundtable_meetings' as kpi_id
    from roundtables
    inner join streets
        on roundtables.street_code = streets.street_code

    union all

    select
        deeds.delivery_month,
        team_registry.district_code,
        'volunteer_deeds'
    from deeds
    inner join team_registry
        on
            deeds.team_id = team_registry.team_id
            and deeds.delivery_month = team_registry.delivery_month

),

measures as (

    {{ count_measures('activities') }}

)

select * from measures
