{#- The service stations as the latest registry describes them.
    History by month: int_station_months_expanded and snap_stations. -#}

with

stations as (

    select * from {{ ref('int_stations_deduplicated') }}

),

final as (

    select
        station_id,
        station_name,
        station_type_code,
        district_code,
        street_code,
        lon,
        lat,
        facilities,
        org_id,
        open_date,
        close_date,
        coalesce(close_date is null, false) as is_open,
        first_delivery_month,
        last_delivery_month

    from stations

)

select * from final
