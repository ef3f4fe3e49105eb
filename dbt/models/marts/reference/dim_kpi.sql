{#- The KPI catalogue, each KPI with its theme's names and page order (what every reader
    shows beside it). -#}

with

kpi_catalogue as (

    select * from {{ ref('kpi_catalogue') }}

),

kpi_themes as (

    select * from {{ ref('dim_kpi_theme') }}

),

final as (

    select
        kpi_catalogue.kpi_id,
        kpi_catalogue.name_zh,
        kpi_catalogue.name_en,
        kpi_catalogue.definition_zh,
        kpi_catalogue.definition_en,
        kpi_catalogue.unit,
        kpi_catalogue.value_kind,
        kpi_catalogue.direction,
        kpi_catalogue.theme,
        kpi_catalogue.source_model,
        kpi_catalogue.status_tolerance,
        kpi_catalogue.counts_people,
        kpi_catalogue.numerator_population,
        kpi_catalogue.denominator_population,
        kpi_catalogue.expected_min,
        kpi_catalogue.expected_max,
        kpi_catalogue.expected_trend,
        kpi_catalogue.max_monthly_change_share,
        kpi_catalogue.max_monthly_change_abs,
        kpi_themes.name_zh as theme_name_zh,
        kpi_themes.name_en as theme_name_en,
        kpi_themes.page_order as theme_page_order

    from kpi_catalogue
    left join kpi_themes
        on kpi_catalogue.theme = kpi_themes.theme

)

select * from final
