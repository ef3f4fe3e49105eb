{#- One row per person and platform: first onboarding, last offboarding and the latest roster attributes. -#}

with

rosters as (

    select * from {{ ref('stg_platform__worker_rosters') }}

),

platforms as (

    select * from {{ ref('platforms') }}

),

work_types as (

    select * from {{ ref('work_types') }}

),

worker_roles as (

    select * from {{ ref('worker_roles') }}

),

latest as (

    select
        *,
        row_number() over (
            partition by worker_key, platform_code
            order by delivery_month desc
        ) as recency

    from rosters

),

spell_dates as (

    select
        worker_key,
        platform_code,
        min(onboard_date) as first_onboard_date,
        max(offboard_date) as last_offboard_date,
        min(delivery_month) as first_delivery_month,
        max(delivery_month) as last_delivery_month

    from rosters
    group by worker_key, platform_code

),

final as (

    select
        latest.worker_key,
        latest.platform_code,
        platforms.group_code,
        spell_dates.first_onboard_date,
        spell_dates.last_offboard_date,
        spell_dates.first_delivery_month,
        spell_dates.last_delivery_month,
        latest.district_code,
        latest.street_code,
        latest.station_id,
        work_types.work_type_code,
        worker_roles.role_code,
        latest.age_band,
        latest.sex,
        latest.home_province_code

    from latest
    inner join spell_dates
        on
            latest.worker_key = spell_dates.worker_key
            and latest.platform_code = spell_dates.platform_code
    inner join platforms
        on latest.platform_code = platforms.platform_code
    left join work_types
        on latest.work_type_name = work_types.work_type_name
    left join worker_roles
        on latest.role_name = worker_roles.role_name
    where latest.recency = 1

)

select * from final
