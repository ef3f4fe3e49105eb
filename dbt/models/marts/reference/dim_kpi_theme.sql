with

kpi_themes as (

    select * from {{ ref('kpi_themes') }}

),

final as (

    select
        theme,
        name_zh,
        name_en,
        page_order

    from kpi_themes

)

select * from final
