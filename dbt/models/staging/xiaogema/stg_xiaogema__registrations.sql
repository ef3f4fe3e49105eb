with

source as (

    select * from {{ source('xiaogema', 'registrations') }}

),

renamed as (

    select
        worker_key,
        platform_code,
        registration_date,
        cast(concat(_delivery_month, '-01') as date) as delivery_month,
        _source_file as source_file,
        _loaded_at as loaded_at

    from source

)

select * from renamed
