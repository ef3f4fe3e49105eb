{#- Friendly scenes certified at the end of each delivery month, read from that month's registry. -#}

with

scenes as (

    select * from {{ ref('stg_service_network__friendly_scenes') }}

),

scene_types as (

    select * from {{ ref('scene_types') }}

),

active_at_month_end as (

    select
        scenes.delivery_month as month_start,
        scenes.scene_id,
        scenes.scene_name,
        scene_types.scene_type_code,
        scenes.district_code,
        scenes.street_code,
        scenes.lon,
        scenes.lat

    from scenes
    inner join scene_types
        on scenes.scene_type_name = scene_types.scene_type_name
    where {{ is_active_at_month_end('scenes.opened_date', 'scenes.closed_date', 'scenes.delivery_month') }}

)

select * from active_at_month_end
