{#- Party-building measures of the organisations, per month and district: delivery-group
    organisations active at the month's end, and their members as shares of the workers on
    their rosters (all members; mobile members registered). -#}

with

active_orgs as (

    select * from {{ ref('int_party_org_months_expanded') }}

),

memberships as (

    select * from {{ ref('stg_organisation__memberships') }}

),

-- each organisation's membership return, in its district
members as (

    select
        active_orgs.month_start,
        active_orgs.district_code,
        memberships.members,
        memberships.workers_on_roster,
        memberships.mobile_registered,
        memberships.mobile_members

    from memberships
    inner join active_orgs
        on
            memberships.delivery_month = active_orgs.month_start
            and memberships.org_id = active_orgs.org_id

),

measures as (

    select
        'party_orgs' as kpi_id,
        'count' as kind,
        month_start,
        district_code,
        group_code,
        count(*) as numerator,
        cast(null as {{ type_double() }}) as denominator
    from active_orgs
    where group_code = 'delivery'
    group by month_start, district_code, group_code

    union all

    select
        'party_member_share',
        'ratio',
        month_start,
        district_code,
        null,
        sum(members),
        sum(workers_on_roster)
    from members
    group by month_start, district_code

    union all

    select
        'mobile_member_registration_rate',
        'ratio',
        month_start,
        district_code,
        null,
        sum(mobile_registered),
        sum(mobile_members)
    from members
    group by month_start, district_code

)

select
    {{ surrogate_key(['kpi_id', 'month_start', 'district_code']) }} as measure_id,
    measures.*
from measures
