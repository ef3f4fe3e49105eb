{#- Organisations active at the end of each delivery month, from that month's registry. -#}

with

party_orgs as (

    select * from {{ ref('stg_organisation__party_orgs') }}

),

worker_groups as (

    select * from {{ ref('worker_groups') }}

),

org_types as (

    select * from {{ ref('org_types') }}

),

active_at_month_end as (

    select
        party_orgs.delivery_month as month_start,
        party_orgs.org_id,
        org_types.org_type_code,
        worker_groups.group_code,
        party_orgs.platform_code,
        party_orgs.district_code,
        party_orgs.street_code

    from party_orgs
    inner join worker_groups
        on party_orgs.group_name = worker_groups.group_name
    inner join org_types
        on party_orgs.org_type_name = org_types.org_type_name
    where
        party_orgs.established_date <= {{ month_end('party_orgs.delivery_month') }}
        and (
            party_orgs.dissolved_date is null
            or party_orgs.dissolved_date > {{ month_end('party_orgs.delivery_month') }}
        )

)

select * from active_at_month_end
