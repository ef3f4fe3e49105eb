{#- The party organisations as the latest registry describes them.
    History by month: int_party_org_months_expanded and snap_party_orgs. -#}

with

party_orgs as (

    select * from {{ ref('int_party_orgs_deduplicated') }}

),

final as (

    select
        org_id,
        org_name,
        org_type_code,
        group_code,
        platform_code,
        district_code,
        street_code,
        established_date,
        dissolved_date,
        coalesce(dissolved_date is null, false) as is_active,
        last_delivery_month

    from party_orgs

)

select * from final
