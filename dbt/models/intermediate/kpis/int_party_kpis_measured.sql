{#- KPI rows of the party-building theme, city-wide and per district, in fct_kpi_monthly's shape. -#}

with

active_orgs as (

    select * from {{ ref('int_party_orgs_active_by_month') }}

),

districts as (

    select * from {{ ref('districts') }}

),

months as (

    select distinct month_start from active_orgs

),

delivery_orgs as (

    select * from active_orgs where group_code = 'delivery'

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

kpi_rows as (

    select
        'party_orgs' as kpi_id,
        month_start,
        'city' as area_level,
        cast(null as varchar) as district_code,
        'delivery' as group_code,
        cast(null as varchar) as platform_code,
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
        cast(null as varchar) as platform_code,
        cast(org_count as double) as kpi_value,
        cast(null as double) as numerator,
        cast(null as double) as denominator

    from party_orgs_by_district

)

select * from kpi_rows
