with

source as (

    select * from {{ source('organisation', 'membership') }}

),

renamed as (

    select
        org_id,
        members,
        mobile_members,
        mobile_registered,
        workers_on_roster,
        cast(concat(_delivery_month, '-01') as date) as delivery_month,
        _source_file as source_file,
        _loaded_at as loaded_at

    from source

)

select * from renamed
