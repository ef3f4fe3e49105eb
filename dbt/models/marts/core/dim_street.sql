{#- Hangzhou's 196 streets and towns with their division. -#}

with

streets as (

    select * from {{ ref('streets') }}

),

final as (

    select
        street_code,
        street_name,
        district_code,
        case
            when street_name like '%街道' then 'street'
            when street_name like '%镇' then 'town'
            when street_name like '%乡' then 'township'
            else 'other'
        end as street_kind

    from streets

)

select * from final
