{#- The long KPI table every dashboard, `xiaoge kpi` and the export read. One union arm per theme
    (the person-month themes come unioned). -#}

with

party_kpis as (

    select * from {{ ref('int_party_kpis_measured') }}

),

service_kpis as (

    select * from {{ ref('int_service_kpis_measured') }}

),

training_kpis as (

    select * from {{ ref('int_training_kpis_measured') }}

),

governance_kpis as (

    select * from {{ ref('int_governance_kpis_measured') }}

),

people_kpis as (

    select * from {{ ref('int_people_kpis_unioned') }}

),

all_kpis as (

    select * from party_kpis
    union all
    select * from service_kpis
    union all
    select * from training_kpis
    union all
    select * from governance_kpis
    union all
    select * from people_kpis

),

final as (

    select
        kpi_row_id,
        kpi_id,
        month_start,
        area_level,
        district_code,
        group_code,
        platform_code,
        -- Six decimals: parallel sums of doubles differ in the last bits from run to run,
        -- and a published figure must not change when its data did not.
        round(kpi_value, 6) as kpi_value,
        round(numerator, 6) as numerator,
        round(denominator, 6) as denominator

    from all_kpis

)

select * from final
