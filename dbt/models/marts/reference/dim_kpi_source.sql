{#- Which source tables feed each catalogue KPI: dbt's own graph, walked upstream from each
    staging and intermediate model to the sources it reads and joined to the catalogue on the
    KPI's `source_model`, so it cannot drift from the models. Models marked `meta.spine` (the
    report months x districts the KPIs are zero-filled over) are calendars, not data, and are
    not walked. The rows are literals, the same on every engine; no data is read (the
    months each source reaches are the build's record, xiaoge_build_sources). -#}

{%- set lineage_rows = [] -%}
{%- if execute -%}
    {%- for node in graph.nodes.values() if node.resource_type == 'model' and node.fqn[1] != 'marts' -%}
        {%- set queue = [node.unique_id] -%}
        {#- a breadth-first walk: the loop also visits the parents appended to `queue` -#}
        {%- for unique_id in queue -%}
            {%- if unique_id.startswith('source.') -%}
                {%- set found = graph.sources[unique_id] -%}
                {%- do lineage_rows.append([node.name, found.source_name, found.name]) -%}
            {%- elif unique_id in graph.nodes and not graph.nodes[unique_id].config.meta.spine -%}
                {%- for parent in graph.nodes[unique_id].depends_on.nodes if parent not in queue -%}
                    {%- do queue.append(parent) -%}
                {%- endfor -%}
            {%- endif -%}
        {%- endfor -%}
    {%- endfor -%}
{%- endif %}

with

kpi_catalogue as (

    select * from {{ ref('kpi_catalogue') }}

),

-- each staging and intermediate model with the source tables upstream of it
model_sources as (

    {% for row in lineage_rows %}
        select
            '{{ row[0] }}' as model_name,
            '{{ row[1] }}' as source_system,
            '{{ row[2] }}' as source_table
        {% if not loop.last %}union all{% endif %}
    {% else %}
        -- parsing: no graph yet
        select
            cast(null as {{ dbt.type_string() }}) as model_name,
            cast(null as {{ dbt.type_string() }}) as source_system,
            cast(null as {{ dbt.type_string() }}) as source_table
    {% endfor %}

),

final as (

    select
        kpi_catalogue.kpi_id,
        model_sources.source_system,
        model_sources.source_table

    from kpi_catalogue
    inner join model_sources
        on kpi_catalogue.source_model = model_sources.model_name

)

select * from final
