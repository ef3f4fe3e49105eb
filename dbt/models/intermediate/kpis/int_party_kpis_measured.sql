{#- KPI rows of the party-building theme, city-wide and per district, in fct_kpi_monthly's shape. -#}

with

active_orgs as (

    select * from {{ ref('int_party_org_months_expanded') }}

),

districts as (

    select * from {{ ref('districts') }}

),

months as (

    select distinct month_start from active_orgs

),

delivery_orgs as (

    select * from active_orgs
    where group_code = 'delivery'

),

party_orgs_by_district as (

    select
        months.month_start,
        districts.district_code,
        count(delivery_orgs.org_id) as org_count

    from months
    cross join districts
    left join delivery_orgs
        on
            months.month_start = delivery_orgs.month_start
            and districts.district_code = delivery_orgs.district_code
    group by months.month_start, districts.district_code

),

party_orgs_city as (

    select
        month_start,
        sum(org_count) as org_count

    from party_orgs_by_district
    group by month_start

),

station_org_coverage as (

    select * from {{ ref('int_stations_covered_by_orgs') }}

),

memberships as (

    select * from {{ ref('stg_organisation__memberships') }}

),

party_ratios as (

    select
        'party_org_coverage_rate' as kpi_id,
        month_start,
        district_code,
        sum(is_covered) as numerator,
        count(*) as denominator
    from station_org_coverage
    group by month_start, district_code

    union all

    select
        'party_member_share' as kpi_id,
        active_orgs.month_start,
        active_orgs.district_code,
        sum(memberships.members) as numerator,
        sum(memberships.workers_on_roster) as denominator
    from memberships
    inner join active_orgs
        on
            memberships.delivery_month = active_orgs.month_start
            and memberships.org_id = active_orgs.org_id
    group by active_orgs.month_start, active_orgs.district_code

    union all

    select
        'mobile_member_registration_rate' as kpi_id,
        active_orgs.month_start,
        active_orgs.district_code,
        sum(memberships.mobile_registered) as numerator,
        sum(memberships.mobile_members) as denominator
    from memberships
    inner join active_orgs
        on
            memberships.delivery_month = active_orgs.month_start
            and memberships.org_id = active_orgs.org_id
    group by active_orgs.month_start, active_orgs.district_code

),

kpi_rows as (

    select
        'party_orgs' as kpi_id,
        month_start,
        'city' as area_level,
        cast(null as {{ dbt.type_string() }}) as district_code,
        'delivery' as group_code,
        cast(null as {{ dbt.type_string() }}) as platform_code,
        cast(org_count as double) as kpi_value,
        cast(null as double) as numerator,
        cast(null as double) as denominator

    from party_orgs_city

    union all

    select
        'party_orgs' as kpi_id,
        month_start,
        'district' as area_level,
        district_code,
        'delivery' as group_code,
        cast(null as {{ dbt.type_string() }}) as platform_code,
        cast(org_count as double) as kpi_value,
        cast(null as double) as numerator,
        cast(null as double) as denominator

    from party_orgs_by_district

    union all

    {{ kpi_area_rows('party_ratios', ratio=true) }}

)

select * from kpi_rows
