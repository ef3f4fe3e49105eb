{#- The report months x districts every KPI is measured over (months some registry was delivered for). -#}

with

party_orgs as (

    select * from {{ ref('stg_organisation__party_orgs') }}

),

stations as (

    select * from {{ ref('stg_service_network__stations') }}

),

districts as (

    select * from {{ ref('districts') }}

),

months as (

    select delivery_month as month_start from party_orgs
    union
    select delivery_month as month_start from stations

),

final as (

    select
        months.month_start,
        districts.district_code

    from months
    cross join districts

)

select * from final
