{#- Every month some source delivered data for. -#}

with

registry_months as (

    select distinct delivery_month as month_start
    from {{ ref('stg_organisation__party_orgs') }}

),

final as (

    select
        month_start,
        cast({{ dbt.date_trunc('year', 'month_start') }} as date) as year_start,
        cast({{ dbt.dateadd('month', -1, 'month_start') }} as date) as previous_month_start,
        cast({{ dbt.dateadd('year', -1, 'month_start') }} as date) as same_month_last_year

    from registry_months

)

select * from final
