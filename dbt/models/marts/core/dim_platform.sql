with

platforms as (

    select * from {{ ref('platforms') }}

),

final as (

    select
        platform_code,
        platform_name,
        platform_name_en,
        group_code,
        xiaogema_linked

    from platforms

)

select * from final
