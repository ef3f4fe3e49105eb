{#- Whether a registry row (opened/closed dates) is active at the end of the month starting `month_start`. -#}
{% macro is_active_at_month_end(opened, closed, month_start) -%}
    (
        {{ opened }} <= {{ month_end(month_start) }}
        and ({{ closed }} is null or {{ closed }} > {{ month_end(month_start) }})
    )
{%- endmacro %}


{#-
    Great-circle distance in km between two WGS-84 points: the haversine formula on a sphere of
    radius 6371.0088 km (the IUGG mean Earth radius). Within 0.3% of the ellipsoidal distance.
-#}
{% macro distance_km(lon_a, lat_a, lon_b, lat_b) -%}
    2 * 6371.0088 * asin(sqrt(
        power(sin(radians({{ lat_b }} - {{ lat_a }}) / 2), 2)
        + cos(radians({{ lat_a }})) * cos(radians({{ lat_b }}))
        * power(sin(radians({{ lon_b }} - {{ lon_a }}) / 2), 2)
    ))
{%- endmacro %}


{#-
    City-wide and district KPI rows in fct_kpi_monthly's shape from district-grain measures.
    `measures` is a CTE with kpi_id, month_start, district_code, numerator, denominator.
    Counts (ratio=false): kpi_value is the sum of numerator; with `spine` (a CTE of month_start x
    district_code) every district gets a row, zero when it has none. Ratios (ratio=true):
    kpi_value = sum(numerator) / sum(denominator), rows with no denominator left out; city rows
    also count measures with no district.
-#}
{% macro kpi_area_rows(measures, spine=none, ratio=false) -%}
    {%- set source = measures -%}
    {%- if spine is not none and not ratio -%}
        {%- set source -%}
        (
            select
                kpi_ids.kpi_id,
                {{ spine }}.month_start,
                {{ spine }}.district_code,
                coalesce(measured.numerator, 0) as numerator,
                cast(null as {{ type_double() }}) as denominator
            from (select distinct kpi_id from {{ measures }}) as kpi_ids
            cross join {{ spine }}
            left join {{ measures }} as measured
                on
                    kpi_ids.kpi_id = measured.kpi_id
                    and {{ spine }}.month_start = measured.month_start
                    and {{ spine }}.district_code = measured.district_code
        )
        {%- endset -%}
    {%- endif %}
    {%- for level in ['city', 'district'] %}
    select
        kpi_id,
        month_start,
        '{{ level }}' as area_level,
        {% if level == 'city' -%}
        cast(null as {{ dbt.type_string() }}) as district_code,
        {%- else -%}
        district_code,
        {%- endif %}
        cast(null as {{ dbt.type_string() }}) as group_code,
        cast(null as {{ dbt.type_string() }}) as platform_code,
        {% if ratio -%}
        cast(sum(numerator) as {{ type_double() }}) / sum(denominator) as kpi_value,
        cast(sum(numerator) as {{ type_double() }}) as numerator,
        cast(sum(denominator) as {{ type_double() }}) as denominator
        {%- else -%}
        cast(sum(numerator) as {{ type_double() }}) as kpi_value,
        cast(null as {{ type_double() }}) as numerator,
        cast(null as {{ type_double() }}) as denominator
        {%- endif %}
    from {{ source }} as measures_{{ level }}
    {% if level == 'district' -%}
    where district_code is not null
    group by kpi_id, month_start, district_code
    {%- else -%}
    group by kpi_id, month_start
    {%- endif %}
    {% if ratio -%}
    having sum(denominator) > 0
    {%- endif %}
    {% if not loop.last %}
    union all
    {% endif %}
    {%- endfor %}
{%- endmacro %}


{#- A 64-bit float type name (dbt's type_float is 32-bit on some adapters, DuckDB among them). -#}
{% macro type_double() -%}
    {{ return(adapter.dispatch('type_double', 'xiaoge')()) }}
{%- endmacro %}

{% macro default__type_double() -%}
    double
{%- endmacro %}
