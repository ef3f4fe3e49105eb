{#- Each party organisation as its most recent registry delivery describes it (the current registry). -#}

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

ranked as (

    select
        party_orgs.*,
        row_number() over (
            partition by party_orgs.org_id order by party_orgs.delivery_month desc
        ) as recency

    from party_orgs

),

latest as (

    select
        ranked.org_id,
        ranked.org_name,
        org_types.org_type_code,
        worker_groups.group_code,
        ranked.platform_code,
        ranked.district_code,
        ranked.street_code,
        ranked.established_date,
        ranked.dissolved_date,
        ranked.delivery_month as last_delivery_month

    from ranked
    inner join worker_groups
        on ranked.group_name = worker_groups.group_name
    inner join org_types
        on ranked.org_type_name = org_types.org_type_name
    where ranked.recency = 1

)

select * from latest
