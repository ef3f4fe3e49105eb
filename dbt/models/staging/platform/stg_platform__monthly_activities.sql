with

source as (

    select * from {{ source('platform', 'monthly_activity') }}

),

renamed as (

    select
        worker_key,
        _sender as platform_code,
        cast(concat(_delivery_month, '-01') as date) as month_start,
        active_days,
        orders,
        online_hours,
        income_yuan,
        injury_covered_orders,
        _source_file as source_file,
        _loaded_at as loaded_at

    from source

)

select * from renamed
