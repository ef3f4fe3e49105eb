with

source as (

    select * from {{ source('services', 'legal_aid_cases') }}

),

renamed as (

    select
        case_id,
        street_code,
        category,
        opened_date,
        closed_date,
        cast(concat(_delivery_month, '-01') as date) as delivery_month,
        _source_file as source_file,
        _loaded_at as loaded_at

    from source

)

select * from renamed
