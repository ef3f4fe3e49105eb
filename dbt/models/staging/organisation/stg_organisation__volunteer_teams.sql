with

source as (

    select * from {{ source('organisation', 'volunteer_teams') }}

),

renamed as (

    select
        team_id,
        team_name,
        district_code,
        members,
        established_date,
        dissolved_date,
        cast(concat(_delivery_month, '-01') as date) as delivery_month,
        _source_file as source_file,
        _loaded_at as loaded_at

    from source

)

select * from renamed
