with

source as (

    select * from {{ source('service_network', 'station_visits') }}

),

renamed as (

    select
        station_id,
        visit_date,
        visits,
        cast(concat(_delivery_month, '-01') as date) as delivery_month,
        _source_file as source_file,
        _loaded_at as loaded_at

    from source

)

select * from renamed
