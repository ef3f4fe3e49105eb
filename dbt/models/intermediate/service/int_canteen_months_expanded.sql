{#- Canteens open to the groups at the end of each delivery month, with the meals they served in it. -#}

with

canteens as (

    select * from {{ ref('stg_service_network__canteens') }}

),

active_at_month_end as (

    select
        delivery_month as month_start,
        canteen_id,
        district_code,
        street_code,
        meals_served

    from canteens
    where {{ is_active_at_month_end('open_date', 'close_date', 'delivery_month') }}

)

select * from active_at_month_end
