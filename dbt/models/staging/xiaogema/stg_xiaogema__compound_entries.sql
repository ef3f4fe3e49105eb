with

source as (

    select * from {{ source('xiaogema', 'compound_entries') }}

),

renamed as (

    select
        compound_id,
        street_code,
        platform_code,
        entry_date,
        cast(concat(_delivery_month, '-01') as date) as month_start,
        entries,
        seconds_saved,
        _source_file as source_file,
        _loaded_at as loaded_at

    from source

)

select * from renamed
