with

districts as (

    select * from {{ ref('districts') }}

),

final as (

    select
        district_code,
        district_name,
        district_name_pinyin,
        kind as district_kind,
        population_2020_census

    from districts

)

select * from final
