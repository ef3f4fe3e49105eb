{#- Stations open at the end of each delivery month, read from that month's registry. -#}

with

stations as (

    select * from {{ ref('stg_service_network__stations') }}

),

station_types as (

    select * from {{ ref('station_types') }}

),

active_at_month_end as (

    select
        stations.delivery_month as month_start,
        stations.station_id,
        station_types.station_type_code,
        stations.district_code,
        stations.street_code,
        stations.lon,
        stations.lat,
        stations.org_id

    from stations
    inner join station_types
        on stations.station_type_name = station_types.station_type_name
    where {{ is_active_at_month_end('stations.open_date', 'stations.close_date', 'stations.delivery_month') }}

)

select * from active_at_month_end
