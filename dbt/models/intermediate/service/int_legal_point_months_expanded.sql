{#- Pro-bono lawyers' contact points open at the end of each delivery month. -#}

with

legal_points as (

    select * from {{ ref('stg_service_network__legal_points') }}

),

active_at_month_end as (

    select
        delivery_month as month_start,
        point_id,
        district_code,
        street_code

    from legal_points
    where {{ is_active_at_month_end('established_date', 'closed_date', 'delivery_month') }}

)

select * from active_at_month_end
