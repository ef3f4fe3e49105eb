{#- Station coverage by scene and month, person-free: what the service network's coverage
    figures and the street-level analyses read. -#}

with

covered_scenes as (

    select * from {{ ref('int_scenes_covered_by_stations') }}

),

final as (

    select
        month_start,
        scene_id,
        scene_name,
        scene_type_code,
        district_code,
        street_code,
        nearest_station_km,
        is_within_15_min

    from covered_scenes

)

select * from final
