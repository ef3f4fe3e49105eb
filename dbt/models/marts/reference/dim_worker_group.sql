with

worker_groups as (

    select * from {{ ref('worker_groups') }}

),

final as (

    select
        group_code,
        group_name,
        group_name_en

    from worker_groups

)

select * from final
