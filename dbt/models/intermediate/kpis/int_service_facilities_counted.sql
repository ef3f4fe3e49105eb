{#- Service facilities open at the end of each delivery month, per district: stations,
    canteens and pro-bono lawyers' contact points, as count measures. -#}

with

stations as (

    select * from {{ ref('int_station_months_expanded') }}

),

canteens as (

    select * from {{ ref('int_canteen_months_expanded') }}

),

legal_points as (

    select * from {{ ref('int_legal_point_months_expanded') }}

),

facilities as (

    select
        'stations_active' as kpi_id,
        month_start,
        district_code
    from stations

    union all

    select
        'canteens',
        month_start,
        district_code
    from canteens

    union all

    select
        'legal_points',
        month_start,
        district_code
    from legal_points

),

measures as (

    {{ count_measures('facilities') }}

)

select * from measures
