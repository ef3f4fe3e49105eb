with

source as (

    select * from {{ source('service_network', 'legal_points') }}

),

renamed as (

    select
        point_id,
        point_name,
        district_code,
        street_code,
        law_firm,
        established_date,
        closed_date,
        cast(concat(_delivery_month, '-01') as date) as delivery_month,
        _source_file as source_file,
        _loaded_at as loaded_at

    from source

)

select * from renamed
