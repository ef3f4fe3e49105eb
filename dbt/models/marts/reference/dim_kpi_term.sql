with

kpi_terms as (

    select * from {{ ref('kpi_terms') }}

),

final as (

    select
        term_id,
        name_zh,
        name_en,
        definition_zh,
        definition_en

    from kpi_terms

)

select * from final
