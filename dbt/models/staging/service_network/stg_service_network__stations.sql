with

source as (

    select * from {{ source('service_network', 'stations') }}

),

renamed as (

    select
        station_id,
        station_name,
        station_type as station_type_name,
        district_code,
        street_code,
        lon,
        lat,
        facilities,
        org_id,
        open_date,
        close_date,
        cast(concat(_delivery_month, '-01') as date) as delivery_month,
        _source_file as source_file,
        _loaded_at as loaded_at

    from source

)

select * from renamed
