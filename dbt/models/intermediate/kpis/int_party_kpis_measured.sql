{#- KPI rows of the party-building theme, city-wide and per district, in fct_kpi_monthly's shape. -#}

with

spine as (

    select * from {{ ref('int_district_months_spanned') }}

),

org_measures as (

    select * from {{ ref('int_party_orgs_measured') }}

),

station_org_coverage as (

    select * from {{ ref('int_stations_covered_by_orgs') }}

),

measures as (

    select
        'party_org_coverage_rate' as kpi_id,
        'ratio' as kind,
        month_start,
        district_code,
        cast(null as {{ dbt.type_string() }}) as group_code,
        sum(is_covered) as numerator,
        count(*) as denominator
    from station_org_coverage
    group by month_start, district_code

),

kpi_rows as (

    {{ kpi_rows(['org_measures', 'measures'], grains=['district_code', 'group_code'], spine='spine') }}

)

select * from kpi_rows
