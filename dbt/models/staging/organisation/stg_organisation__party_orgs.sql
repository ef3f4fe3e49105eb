with

source as (

    select * from {{ source('organisation', 'party_orgs') }}

),

renamed as (

    select
        org_id,
        org_name,
        org_type as org_type_name,
        group_name,
        platform_code,
        district_code,
        street_code,
        established_date,
        dissolved_date,
        cast(concat(_delivery_month, '-01') as date) as delivery_month,
        _source_file as source_file,
        _loaded_at as loaded_at

    from source

)

select * from renamed
