with

source as (

    select * from {{ source('service_network', 'canteens') }}

),

renamed as (

    select
        canteen_id,
        canteen_name,
        district_code,
        street_code,
        open_date,
        close_date,
        meals_served,
        cast(concat(_delivery_month, '-01') as date) as delivery_month,
        _source_file as source_file,
        _loaded_at as loaded_at

    from source

)

select * from renamed
