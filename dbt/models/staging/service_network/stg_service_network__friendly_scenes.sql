with

source as (

    select * from {{ source('service_network', 'friendly_scenes') }}

),

renamed as (

    select
        scene_id,
        scene_name,
        scene_type as scene_type_name,
        district_code,
        street_code,
        lon,
        lat,
        opened_date,
        closed_date,
        cast(concat(_delivery_month, '-01') as date) as delivery_month,
        _source_file as source_file,
        _loaded_at as loaded_at

    from source

)

select * from renamed
