{#- Volunteer teams (骑士侠) active at the end of each delivery month, from that month's registry. -#}

with

teams as (

    select * from {{ ref('stg_organisation__volunteer_teams') }}

),

active_at_month_end as (

    select
        delivery_month as month_start,
        team_id,
        team_name,
        district_code,
        members

    from teams
    where {{ is_active_at_month_end('established_date', 'dissolved_date', 'delivery_month') }}

)

select * from active_at_month_end
