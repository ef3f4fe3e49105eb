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
    fct_kpi_monthly's rows (kpi_row_id and its nine columns) from a theme's measures.

    `measures` is a CTE (or a list of CTEs, taken together) with kpi_id, kind, month_start, the
    grain columns listed in `grains` (of district_code, group_code, platform_code), numerator
    and denominator, at the finest grain each KPI is measured at. Each row adds up to:
      - the city, and its district when it has a district_code;
      - its platform, city-wide, when it has a platform_code.
    A row with a platform_code and no district_code is a platform-only figure (people counted
    once on each platform they worked for): it adds up to its platform's row only, never to an
    all-platform row. group_code is kept at every grain: rows with one make up that group's
    rows, rows without one the all-group rows.

    kind says how the rows combine into kpi_value:
      - count: sum of numerator; with `spine` (a CTE of month_start x district_code; only for
        measures without platform_code) every district and report month gets a row, zero when
        nothing was counted, and only measures on the spine are counted;
      - amount: sum of numerator, no zero-filling (a figure computed in the measures);
      - ratio: sum(numerator) / sum(denominator), with both sums kept; no row without a
        denominator;
      - median: the median of numerator over the rows (one row per item measured).
-#}
{% macro kpi_rows(measures, grains=['district_code'], spine=none) -%}
    {%- set string = dbt.type_string() -%}
    {%- set double = type_double() -%}
    {%- set by_group = 'group_code' in grains -%}
    {%- set by_platform = 'platform_code' in grains -%}
    {%- set columns = ['district_code', 'group_code', 'platform_code'] | select('in', grains) | list -%}
    {#- several measures CTEs (a theme's own and those of a measures model it reads) are one -#}
    {%- set measures_ctes = [measures] if measures is string else measures -%}
    {%- set measures -%}
        (
            {%- for cte in measures_ctes %}
            {%- if not loop.first %}
            union all
            {%- endif %}
            select kpi_id, kind, month_start, {{ columns | join(', ') }}, numerator, denominator
            from {{ cte }}
            {%- endfor %}
        )
    {%- endset -%}
    {%- set source = measures -%}
    {%- if spine is not none and by_platform -%}
        {{ exceptions.raise_compiler_error('kpi_rows: a spine zero-fills area counts; measures with platform_code take none') }}
    {%- endif -%}
    {%- if spine is not none -%}
        {%- set source -%}
        (
            select
                keys.kpi_id,
                keys.kind,
                {{ spine }}.month_start,
                {{ spine }}.district_code,
                {% if by_group -%} keys.group_code, {%- endif %}
                coalesce(measured.numerator, 0) as numerator,
                cast(null as {{ double }}) as denominator
            from (
                select distinct
                    kpi_id,
                    kind{% if by_group %},
                    group_code{% endif %}
                from {{ measures }} as counted
                where kind = 'count'
            ) as keys
            cross join {{ spine }}
            left join {{ measures }} as measured
                on
                    keys.kpi_id = measured.kpi_id
                    and {{ spine }}.month_start = measured.month_start
                    and {{ spine }}.district_code = measured.district_code
                    {% if by_group -%}
                    and coalesce(keys.group_code, '') = coalesce(measured.group_code, '')
                    {%- endif %}

            union all

            select
                kpi_id,
                kind,
                month_start,
                {{ columns | join(', ') }},
                numerator,
                denominator
            from {{ measures }} as not_counted
            where kind <> 'count'
        )
        {%- endset -%}
    {%- endif -%}
    {#- each grain: its area_level, the grain columns it keeps, and the measures rows it adds up -#}
    {%- set not_platform_only = 'district_code is not null or platform_code is null' if by_platform else 'true' -%}
    {%- set rollups = [('city', [], not_platform_only)] -%}
    {%- if 'district_code' in grains -%}
        {%- do rollups.append(('district', ['district_code'], 'district_code is not null')) -%}
    {%- endif -%}
    {%- if by_platform -%}
        {%- do rollups.append(('city', ['platform_code'], 'platform_code is not null')) -%}
    {%- endif %}
    select
        {{ surrogate_key(['kpi_id', 'month_start', 'area_level', 'district_code', 'group_code', 'platform_code']) }}
            as kpi_row_id,
        kpi_id,
        month_start,
        area_level,
        district_code,
        group_code,
        platform_code,
        kpi_value,
        numerator,
        denominator
    from (
        {%- for area_level, kept, rows in rollups %}
        {%- set keys = ['kpi_id', 'kind', 'month_start'] + kept + (['group_code'] if by_group else []) %}
        {%- if not loop.first %}

        union all
        {% endif %}

        select
            kpi_id,
            month_start,
            '{{ area_level }}' as area_level,
            {% for column in ['district_code', 'group_code', 'platform_code'] -%}
            {{ column if column in keys else 'cast(null as ' ~ string ~ ')' }} as {{ column }},
            {% endfor -%}
            cast(case kind
                when 'ratio' then cast(sum(numerator) as {{ double }}) / sum(denominator)
                when 'median' then percentile_cont(0.5) within group (order by numerator)
                else sum(numerator)
            end as {{ double }}) as kpi_value,
            case when kind = 'ratio' then cast(sum(numerator) as {{ double }}) end as numerator,
            case when kind = 'ratio' then cast(sum(denominator) as {{ double }}) end as denominator
        from {{ source }} as measured
        where {{ rows }}
        group by {{ keys | join(', ') }}
        having kind <> 'ratio' or sum(denominator) > 0
        {%- endfor %}
    ) as rolled_up
{%- endmacro %}


{#-
    Count measures (kpi_rows' measures shape, keyed by measure_id) from a CTE of items with
    kpi_id, month_start and district_code: how many items each KPI has per month and district.
-#}
{% macro count_measures(items) -%}
    select
        {{ surrogate_key(['kpi_id', 'month_start', 'district_code']) }} as measure_id,
        kpi_id,
        'count' as kind,
        month_start,
        district_code,
        count(*) as numerator,
        cast(null as {{ type_double() }}) as denominator
    from {{ items }}
    group by kpi_id, month_start, district_code
{%- endmacro %}


{#- A row key: the hash of the columns' values as strings, '|'-separated, null as ''. -#}
{% macro surrogate_key(columns) -%}
    {%- set parts = [] -%}
    {%- for column in columns -%}
        {%- if not loop.first %}{% do parts.append("'|'") %}{% endif -%}
        {%- do parts.append("coalesce(" ~ dbt.cast(column, api.Column.translate_type('string')) ~ ", '')") -%}
    {%- endfor -%}
    {{ dbt.hash(dbt.concat(parts)) }}
{%- endmacro %}


{#- A 64-bit float type name (dbt's type_float is 32-bit on some adapters, DuckDB among them). -#}
{% macro type_double() -%}
    {{ return(adapter.dispatch('type_double', 'xiaoge')()) }}
{%- endmacro %}

{% macro default__type_double() -%}
    double
{%- endmacro %}
