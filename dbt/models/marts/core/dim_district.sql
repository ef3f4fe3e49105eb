{#- Hangzhou's county-level divisions, and the unknown district of people no roster places. -#}

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

    union all

    select
        '{{ var("unknown_district_code") }}' as district_code,
        '未知区县' as district_name,
        'Unknown' as district_name_pinyin,
        'unknown' as district_kind,
        cast(null as bigint) as population_2020_census

)

select * from final
