{#- The last day of the month that `month_start` (a date, first of the month) begins. -#}
{% macro month_end(month_start) -%}
    {{ dbt.dateadd('day', -1, dbt.dateadd('month', 1, month_start)) }}
{%- endmacro %}
