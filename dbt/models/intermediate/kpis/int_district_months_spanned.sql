{#- The report months (any month a registry was delivered for) x every district: the months
    dim_month lists and the spine count KPIs are zero-filled over. -#}

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
        {{ dbt.concat([
            dbt.cast("months.month_start", api.Column.translate_type("string")),
            "'|'",
            "districts.district_code",
        ]) }} as district_month_id,
        months.month_start,
        districts.district_code

    from months
    cross join districts

)

select * from final
