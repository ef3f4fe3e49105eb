{#- KPI rows of the service-network theme (stations, coverage, visits, scenes, canteens, legal points). -#}

with

spine as (

    select * from {{ ref('int_district_months_spanned') }}

),

facility_measures as (

    select * from {{ ref('int_service_facilities_counted') }}

),

scene_coverage as (

    select * from {{ ref('int_scenes_covered_by_stations') }}

),

canteen_deliveries as (

    select * from {{ ref('stg_service_network__canteens') }}

),

visits as (

    select * from {{ ref('stg_service_network__station_visits') }}

),

station_registry as (

    select * from {{ ref('stg_service_network__stations') }}

),

-- a visit counts in the district the station's registry row of that month gives
station_days as (

    select
        visits.delivery_month as month_start,
        station_registry.district_code,
        visits.visits

    from visits
    inner join station_registry
        on
            visits.station_id = station_registry.station_id
            and visits.delivery_month = station_registry.delivery_month

),

measures as (

    select
        'friendly_scenes' as kpi_id,
        'count' as kind,
        month_start,
        district_code,
        count(*) as numerator,
        cast(null as {{ type_double() }}) as denominator
    from scene_coverage
    group by month_start, district_code

    union all

    select
        'station_15min_coverage_rate',
        'ratio',
        month_start,
        district_code,
        sum(is_within_15_min),
        count(*)
    from scene_coverage
    group by month_start, district_code

    union all

    select
        'canteen_meals',
        'count',
        delivery_month,
        district_code,
        sum(meals_served),
        null
    from canteen_deliveries
    group by delivery_month, district_code

    union all

    select
        'station_visits_per_day',
        'ratio',
        month_start,
        district_code,
        sum(visits),
        count(*)
    from station_days
    group by month_start, district_code

),

kpi_rows as (

    {{ kpi_rows(['facility_measures', 'measures'], spine='spine') }}

)

select * from kpi_rows
