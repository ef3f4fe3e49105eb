{#- Each station as its most recent registry delivery describes it (the current registry). -#}

with

stations as (

    select * from {{ ref('stg_service_network__stations') }}

),

station_types as (

    select * from {{ ref('station_types') }}

),

ranked as (

    select
        stations.*,
        min(stations.delivery_month) over (partition by stations.station_id) as first_delivery_month,
        row_number() over (
            partition by stations.station_id order by stations.delivery_month desc
        ) as recency

    from stations

),

latest as (

    select
        ranked.station_id,
        ranked.station_name,
        station_types.station_type_code,
        ranked.district_code,
        ranked.street_code,
        ranked.lon,
        ranked.lat,
        ranked.facilities,
        ranked.org_id,
        ranked.open_date,
        ranked.close_date,
        ranked.first_delivery_month,
        ranked.delivery_month as last_delivery_month

    from ranked
    inner join station_types
        on ranked.station_type_name = station_types.station_type_name
    where ranked.recency = 1

)

select * from latest
