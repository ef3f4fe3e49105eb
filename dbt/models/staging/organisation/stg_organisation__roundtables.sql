with

source as (

    select * from {{ source('organisation', 'roundtables') }}

),

renamed as (

    select
        meeting_id,
        org_id,
        street_code,
        meeting_date,
        topics,
        attendees,
        cast(concat(_delivery_month, '-01') as date) as delivery_month,
        _source_file as source_file,
        _loaded_at as loaded_at

    from source

)

select * from renamed
