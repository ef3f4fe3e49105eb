{#- Every report month (a month some registry was delivered for), with the months it is compared against. -#}

with

district_months as (

    select * from {{ ref('int_district_months_spanned') }}

),

months as (

    select distinct month_start from district_months

),

final as (

    select
        month_start,
        cast({{ dbt.date_trunc('year', 'month_start') }} as date) as year_start,
        cast({{ dbt.dateadd('month', -1, 'month_start') }} as date) as previous_month_start,
        cast({{ dbt.dateadd('year', -1, 'month_start') }} as date) as same_month_last_year

    from months

)

select * from final
