with

source as (

    select * from {{ source('services', 'demands') }}

),

renamed as (

    select
        demand_id,
        channel,
        category as category_name,
        street_code,
        received_date,
        resolved_date,
        satisfaction,
        cast(concat(_delivery_month, '-01') as date) as delivery_month,
        _source_file as source_file,
        _loaded_at as loaded_at

    from source

)

select * from renamed
