{#-
    Training person-times: one row per sign-in, with its session's month, programme and
    district. A sign-in whose session row was quarantined has no session and is left out.
-#}

with

attendances as (

    select * from {{ ref('stg_services__training_attendances') }}

),

sessions as (

    select * from {{ ref('stg_services__training_sessions') }}

),

programmes as (

    select * from {{ ref('training_programmes') }}

),

worker_groups as (

    select * from {{ ref('worker_groups') }}

),

joined as (

    select
        attendances.session_id,
        attendances.sign_in_no,
        cast({{ dbt.date_trunc('month', 'sessions.session_date') }} as date) as month_start,
        sessions.session_date,
        programmes.programme_code,
        sessions.district_code,
        worker_groups.group_code

    from attendances
    inner join sessions
        on
            attendances.session_id = sessions.session_id
            and attendances.delivery_month = sessions.delivery_month
    inner join programmes
        on sessions.programme_name = programmes.programme_name
    left join worker_groups
        on attendances.group_name = worker_groups.group_name

)

select * from joined
