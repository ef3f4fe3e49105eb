{#-
    15-minute coverage: for each friendly scene (a place riders deliver to: the demand points)
    active at a month's end, the nearest station open then, if one is within reach. Reach is
    15 minutes' ride at 12 km/h = 3 km, straight line. Stations are binned into grid cells at
    least 3 km wide and matched to the scene's cell and its 8 neighbours, so the pairs are
    found by an equi-join, not a cross join of every scene with every station.
-#}

{%- set reach_km = 15 / 60 * 12 -%}
{%- set cell_lon = 0.035 -%}  {#- 3.37 km at 30 degrees north -#}
{%- set cell_lat = 0.03 -%}  {#- 3.32 km -#}

with

scenes as (

    select * from {{ ref('int_scene_months_expanded') }}

),

stations as (

    select * from {{ ref('int_station_months_expanded') }}

),

offsets as (

    select -1 as step
    union all
    select 0 as step
    union all
    select 1 as step

),

station_cells as (

    select
        stations.month_start,
        stations.station_id,
        stations.lon,
        stations.lat,
        cast(floor(stations.lon / {{ cell_lon }}) as integer) + offsets_x.step as cell_x,
        cast(floor(stations.lat / {{ cell_lat }}) as integer) + offsets_y.step as cell_y

    from stations
    cross join offsets as offsets_x
    cross join offsets as offsets_y

),

scene_cells as (

    select
        month_start,
        scene_id,
        lon,
        lat,
        cast(floor(lon / {{ cell_lon }}) as integer) as cell_x,
        cast(floor(lat / {{ cell_lat }}) as integer) as cell_y

    from scenes

),

nearest as (

    select
        scene_cells.month_start,
        scene_cells.scene_id,
        min({{ distance_km('scene_cells.lon', 'scene_cells.lat', 'station_cells.lon', 'station_cells.lat') }})
            as nearest_station_km

    from scene_cells
    inner join station_cells
        on
            scene_cells.month_start = station_cells.month_start
            and scene_cells.cell_x = station_cells.cell_x
            and scene_cells.cell_y = station_cells.cell_y
    group by scene_cells.month_start, scene_cells.scene_id

),

final as (

    select
        scenes.month_start,
        scenes.scene_id,
        scenes.scene_name,
        scenes.scene_type_code,
        scenes.district_code,
        scenes.street_code,
        case
            when nearest.nearest_station_km <= {{ reach_km }} then nearest.nearest_station_km
        end as nearest_station_km,
        case when nearest.nearest_station_km <= {{ reach_km }} then 1 else 0 end as is_within_15_min

    from scenes
    left join nearest
        on
            scenes.month_start = nearest.month_start
            and scenes.scene_id = nearest.scene_id

)

select * from final
