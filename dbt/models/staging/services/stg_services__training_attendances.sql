with

source as (

    select * from {{ source('services', 'training_attendance') }}

),

renamed as (

    select
        session_id,
        sign_in_no,
        group_name,
        cast(concat(_delivery_month, '-01') as date) as delivery_month,
        _source_file as source_file,
        _loaded_at as loaded_at

    from source

)

select * from renamed
