{#- None of `columns` holds a null: one scan of the model for all of them, where a `not_null`
    test per column would scan it once each. It returns one row per column that has nulls,
    with how many. A primary key keeps `unique` and `not_null` on its column (the
    primary-key convention); the model's other required columns are listed here. With
    `month_column`, an incremental build checks only the months it recomputed. -#}
{% test not_null_columns(model, columns, month_column=none) %}

with null_counts as (
    select
    {%- for column in columns %}
        sum(case when {{ column }} is null then 1 else 0 end) as {{ column }}
        {%- if not loop.last %},{% endif %}
    {%- endfor %}
    from {{ model }}
    {% if month_column -%}
        where {{ months_tested(month_column) }}
    {%- endif %}
)

{% for column in columns -%}
    select
        '{{ column }}' as null_column,
        {{ column }} as null_rows
    from null_counts
    where {{ column }} > 0
    {% if not loop.last %}union all{% endif %}
{% endfor %}

{% endtest %}
