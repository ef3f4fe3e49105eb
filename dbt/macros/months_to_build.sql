{#- The month filter of a month-incremental model.

    A full build (or any build on Spark, where these models are tables) reads every month. An
    incremental DuckDB build recomputes only the months from `rebuild_from_month` on (set by
    `xiaoge build` from the files loaded since the served build), reaching `lookback_months`
    further back for inputs a month's figures depend on (last month's leavers). Run by hand
    without the variable, an incremental model recomputes every month. -#}
{% macro in_months_to_build(month_column, lookback_months=0) -%}
    {%- if is_incremental() -%}
        {{ month_column }} >= {{ dbt.dateadd(
            'month',
            -lookback_months,
            "cast('" ~ var('rebuild_from_month', '0001-01-01') ~ "' as date)"
        ) }}
    {%- else -%}
        true
    {%- endif -%}
{%- endmacro %}

{#- The `where` of a data test on a month-incremental fact: an incremental build tests the
    months it recomputed (earlier months were tested when they were built); a full build tests
    every row. -#}
{% macro months_tested(month_column) -%}
    {%- if var('rebuild_from_month', none) -%}
        {{ month_column }} >= cast('{{ var('rebuild_from_month') }}' as date)
    {%- else -%}
        1 = 1
    {%- endif -%}
{%- endmacro %}
