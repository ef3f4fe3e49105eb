{#- Every KPI in the catalogue has at least one row in fct_kpi_monthly. -#}

with

catalogue as (

    select kpi_id from {{ ref('kpi_catalogue') }}

),

measured as (

    select distinct kpi_id from {{ ref('fct_kpi_monthly') }}

)

select catalogue.kpi_id
from catalogue
left join measured on catalogue.kpi_id = measured.kpi_id
where measured.kpi_id is null
