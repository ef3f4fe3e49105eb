{#-
    `source()` for every engine. dbt-duckdb reads a source through its `meta.external_location`
    (read_parquet over the raw zone); on Spark the same Parquet folder is read as
    parquet.`<raw>/<system>/<table>`, the system being the source's schema (its name).
    Unit-test fixtures (the __dbt__cte__ relations) and parse-time relations are left as dbt
    made them.
-#}
{% macro source(source_name, table_name) -%}
    {%- set relation = builtins.source(source_name, table_name) -%}
    {{ return(adapter.dispatch('raw_source', 'xiaoge')(relation)) }}
{%- endmacro %}

{% macro default__raw_source(relation) -%}
    {{ return(relation) }}
{%- endmacro %}

{% macro spark__raw_source(relation) -%}
    {%- if not execute or relation.identifier is none or relation.identifier.startswith('__dbt__cte__') -%}
        {{ return(relation) }}
    {%- endif -%}
    {%- set raw_dir = env_var('XIAOGE_SPARK_RAW_DIR', env_var('XIAOGE_RAW_DIR', '../data/raw')) -%}
    {{ return('parquet.`' ~ raw_dir.rstrip('/') ~ '/' ~ relation.schema ~ '/' ~ relation.identifier ~ '`') }}
{%- endmacro %}
