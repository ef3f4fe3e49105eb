{#- The month filter of a month-incremental model.

    A full build (or any build on Spark, where these models are tables) reads every month. An
    incremental DuckDB build recomputes only the months from `rebuild_from_month()` on (set by
    `xiaoge build` from the files loaded since the served build), reaching `lookback_months`
    further back for inputs a month's figures depend on (last month's leavers). Run by hand
    with neither set, an incremental model recomputes every month. -#}
{#- The first month to recompute: the `rebuild_from_month` variable (a unit test's override, or
    given by hand), else XIAOGE_REBUILD_FROM_MONTH, which `xiaoge build` sets (an environment
    variable, not --vars: dbt parses the whole project again when a variable changes, but only
    the files that read an environment variable when it does); '' when neither is set. -#}
{% macro rebuild_from_month() -%}
    {{- return(var('rebuild_from_month', env_var('XIAOGE_REBUILD_FROM_MONTH', ''))) -}}
{%- endmacro %}

{% macro in_months_to_build(month_column, lookback_months=0) -%}
    {%- if is_incremental() -%}
        {{ month_column }} >= {{ dbt.dateadd(
            'month',
            -lookback_months,
            "cast('" ~ (rebuild_from_month() or '0001-01-01') ~ "' as date)"
        ) }}
    {%- else -%}
        true
    {%- endif -%}
{%- endmacro %}

{#- The `where` of a data test on a month-incremental fact: an incremental build tests the
    months it recomputed (earlier months were tested when they were built); a full build tests
    every row. -#}
{% macro months_tested(month_column) -%}
    {%- if rebuild_from_month() -%}
        {{ month_column }} >= cast('{{ rebuild_from_month() }}' as date)
    {%- else -%}
        1 = 1
    {%- endif -%}
{%- endmacro %}
