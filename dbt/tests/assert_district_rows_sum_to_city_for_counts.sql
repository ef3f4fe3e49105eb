{#-
    For every additive KPI (value_kind count in the catalogue), the district rows of a month add
    up to the city-wide row (same group and platform breakdown). Fails for each mismatch.
-#}

with

kpis as (

    select * from {{ ref('fct_kpi_monthly') }}

),

catalogue as (

    select * from {{ ref('kpi_catalogue') }}

),

counts as (

    select kpis.*
    from kpis
    inner join catalogue
        on kpis.kpi_id = catalogue.kpi_id
    where catalogue.value_kind = 'count'

),

city as (

    select
        kpi_id,
        month_start,
        coalesce(group_code, '') as group_key,
        coalesce(platform_code, '') as platform_key,
        kpi_value as city_value
    from counts
    where area_level = 'city'

),

districts as (

    select
        kpi_id,
        month_start,
        coalesce(group_code, '') as group_key,
        coalesce(platform_code, '') as platform_key,
        sum(kpi_value) as district_sum
    from counts
    where area_level = 'district'
    group by kpi_id, month_start, coalesce(group_code, ''), coalesce(platform_code, '')

),

compared as (

    select
        city.kpi_id,
        city.month_start,
        city.group_key,
        city.platform_key,
        city.city_value,
        districts.district_sum
    from city
    inner join districts
        on
            city.kpi_id = districts.kpi_id
            and city.month_start = districts.month_start
            and city.group_key = districts.group_key
            and city.platform_key = districts.platform_key

)

select * from compared
where abs(city_value - district_sum) > 0.000001
