{#-
    Organisation coverage of the service network: each station open at a month's end, and
    whether a party organisation active at that month's end has taken it on (联建). The
    station registry names the organisation; one that has been dissolved no longer covers.
-#}

with

stations as (

    select * from {{ ref('int_station_months_expanded') }}

),

active_orgs as (

    select * from {{ ref('int_party_org_months_expanded') }}

),

final as (

    select
        stations.month_start,
        stations.station_id,
        stations.district_code,
        stations.street_code,
        active_orgs.org_id,
        case when active_orgs.org_id is not null then 1 else 0 end as is_covered

    from stations
    left join active_orgs
        on
            stations.month_start = active_orgs.month_start
            and stations.org_id = active_orgs.org_id

)

select * from final
