{#-
    SCD2 history of the station registry, rebuilt from the monthly full deliveries: one row per
    station and version, a new version whenever a delivered attribute changes. Answers "which
    stations were open, and under which organisation, at the end of March 2024" from history:
    the version with valid_from_month <= 2024-03-01 and (valid_to_month > 2024-03-01 or null),
    then its open and close dates.
-#}

{%- set tracked = [
    'station_name', 'station_type_name', 'district_code', 'street_code', 'lon', 'lat',
    'facilities', 'org_id', 'open_date', 'close_date',
] -%}
{%- set hash_parts = [] -%}
{%- for column in tracked -%}
    {%- do hash_parts.append("coalesce(cast(" ~ column ~ " as " ~ dbt.type_string() ~ "), '')") -%}
    {%- if not loop.last %}{% do hash_parts.append("'|'") %}{% endif -%}
{%- endfor -%}

with

stations as (

    select * from {{ ref('stg_service_network__stations') }}

),

station_types as (

    select * from {{ ref('station_types') }}

),

hashed as (

    select
        station_id,
        delivery_month,
        {{ tracked | join(',\n        ') }},
        {{ dbt.hash(dbt.concat(hash_parts)) }} as row_hash

    from stations

),

changes as (

    select
        *,
        lag(row_hash) over (partition by station_id order by delivery_month) as previous_hash

    from hashed

),

versions as (

    select * from changes
    where previous_hash is null or previous_hash != row_hash

),

final as (

    select
        {{ dbt.hash(dbt.concat([
            'versions.station_id', "'|'", dbt.cast('versions.delivery_month', dbt.type_string()),
        ])) }}
            as station_version_id,
        versions.station_id,
        versions.station_name,
        station_types.station_type_code,
        versions.district_code,
        versions.street_code,
        versions.lon,
        versions.lat,
        versions.facilities,
        versions.org_id,
        versions.open_date,
        versions.close_date,
        versions.delivery_month as valid_from_month,
        lead(versions.delivery_month) over (
            partition by versions.station_id order by versions.delivery_month
        ) as valid_to_month,
        coalesce(lead(versions.delivery_month) over (
            partition by versions.station_id order by versions.delivery_month
        ) is null, false) as is_current

    from versions
    inner join station_types
        on versions.station_type_name = station_types.station_type_name

)

select * from final
