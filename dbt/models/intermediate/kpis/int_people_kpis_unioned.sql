{#- KPI rows of the themes measured over the person-months (workforce, rights, 小哥码), together,
    so that fct_kpi_monthly reads one model for them. -#}

with

workforce_kpis as (

    select * from {{ ref('int_workforce_kpis_measured') }}

),

rights_kpis as (

    select * from {{ ref('int_rights_kpis_measured') }}

),

xiaogema_kpis as (

    select * from {{ ref('int_xiaogema_kpis_measured') }}

),

unioned as (

    select * from workforce_kpis
    union all
    select * from rights_kpis
    union all
    select * from xiaogema_kpis

)

select * from unioned
