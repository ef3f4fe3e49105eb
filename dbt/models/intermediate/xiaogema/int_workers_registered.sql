{#- One row per person registered with 小哥码: the first registration on any platform. -#}

with

registrations as (

    select * from {{ ref('stg_xiaogema__registrations') }}

),

first_registration as (

    select
        worker_key,
        min(registration_date) as first_registration_date,
        count(distinct platform_code) as platforms_registered

    from registrations
    group by worker_key

)

select * from first_registration
