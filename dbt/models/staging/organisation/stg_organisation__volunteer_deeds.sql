with

source as (

    select * from {{ source('organisation', 'volunteer_deeds') }}

),

renamed as (

    select
        deed_id,
        team_id,
        deed_type as deed_type_name,
        street_code,
        deed_date,
        summary,
        cast(concat(_delivery_month, '-01') as date) as delivery_month,
        _source_file as source_file,
        _loaded_at as loaded_at

    from source

)

select * from renamed
