{#- The columns together identify a row: no combination of their values occurs twice. With
    `month_column` (one of the columns), an incremental build checks only the months it
    recomputed. -#}
{% test unique_combination(model, columns, month_column=none) %}

select
    {{ columns | join(', ') }},
    count(*) as occurrences

from {{ model }}
{% if month_column -%}
    where {{ months_tested(month_column) }}
{%- endif %}
group by {{ columns | join(', ') }}
having count(*) > 1

{% endtest %}
