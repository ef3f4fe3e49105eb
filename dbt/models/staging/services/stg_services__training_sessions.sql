with

source as (

    select * from {{ source('services', 'training_sessions') }}

),

renamed as (

    select
        session_id,
        programme as programme_name,
        title,
        session_date,
        district_code,
        cast(concat(_delivery_month, '-01') as date) as delivery_month,
        _source_file as source_file,
        _loaded_at as loaded_at

    from source

)

select * from renamed
