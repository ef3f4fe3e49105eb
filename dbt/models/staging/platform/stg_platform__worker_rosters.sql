with

source as (

    select * from {{ source('platform', 'worker_roster') }}

),

renamed as (

    select
        worker_key,
        _sender as platform_code,
        cast(concat(_delivery_month, '-01') as date) as delivery_month,
        age_band,
        sex,
        home_province_code,
        work_type as work_type_name,
        role as role_name,
        station_id,
        district_code,
        street_code,
        onboard_date,
        offboard_date,
        _source_file as source_file,
        _loaded_at as loaded_at

    from source

)

select * from renamed
