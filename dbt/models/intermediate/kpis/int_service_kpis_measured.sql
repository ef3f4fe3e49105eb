{#- KPI rows of the service-network theme (stations, coverage, visits, scenes, canteens, legal points). -#}

with

spine as (

    select * from {{ ref('int_months_reported') }}

),

stations as (

    select * from {{ ref('int_station_months_expanded') }}

),

scene_coverage as (

    select * from {{ ref('int_scenes_covered_by_stations') }}

),

canteens as (

    select * from {{ ref('int_canteen_months_expanded') }}

),

canteen_deliveries as (

    select * from {{ ref('stg_service_network__canteens') }}

),

legal_points as (

    select * from {{ ref('int_legal_point_months_expanded') }}

),

visits as (

    select * from {{ ref('stg_service_network__station_visits') }}

),

station_registry as (

    select * from {{ ref('stg_service_network__stations') }}

),

counts as (

    select
        'stations_active' as kpi_id,
        month_start,
        district_code,
        count(*) as numerator,
        cast(null as {{ type_double() }}) as denominator
    from stations
    group by month_start, district_code

    union all

    select
        'friendly_scenes' as kpi_id,
        month_start,
        district_code,
        count(*) as numerator,
        cast(null as {{ type_double() }}) as denominator
    from scene_coverage
    group by month_start, district_code

    union all

    select
        'canteens' as kpi_id,
        month_start,
        district_code,
        count(*) as numerator,
        cast(null as {{ type_double() }}) as denominator
    from canteens
    group by month_start, district_code

    union all

    select
        'canteen_meals' as kpi_id,
        delivery_month as month_start,
        district_code,
        sum(meals_served) as numerator,
        cast(null as {{ type_double() }}) as denominator
    from canteen_deliveries
    group by delivery_month, district_code

    union all

    select
        'legal_points' as kpi_id,
        month_start,
        district_code,
        count(*) as numerator,
        cast(null as {{ type_double() }}) as denominator
    from legal_points
    group by month_start, district_code

),

coverage as (

    select
        'station_15min_coverage_rate' as kpi_id,
        month_start,
        district_code,
        sum(is_within_15_min) as numerator,
        count(*) as denominator
    from scene_coverage
    group by month_start, district_code

),

visit_days as (

    select
        'station_visits_per_day' as kpi_id,
        visits.delivery_month as month_start,
        station_registry.district_code,
        sum(visits.visits) as numerator,
        count(*) as denominator
    from visits
    inner join station_registry
        on
            visits.station_id = station_registry.station_id
            and visits.delivery_month = station_registry.delivery_month
    group by visits.delivery_month, station_registry.district_code

),

ratios as (

    select * from coverage
    union all
    select * from visit_days

),

kpi_rows as (

    {{ kpi_area_rows('counts', spine='spine') }}

    union all

    {{ kpi_area_rows('ratios', ratio=true) }}

)

select * from kpi_rows
