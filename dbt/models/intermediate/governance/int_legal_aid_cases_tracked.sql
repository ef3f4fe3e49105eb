{#- Each legal-aid case once, with its latest known status (the latest delivery wins). -#}

with

cases as (

    select * from {{ ref('stg_services__legal_aid_cases') }}

),

streets as (

    select * from {{ ref('streets') }}

),

ranked as (

    select
        cases.*,
        row_number() over (
            partition by cases.case_id order by cases.delivery_month desc
        ) as recency

    from cases

),

final as (

    select
        ranked.case_id,
        ranked.category,
        ranked.street_code,
        streets.district_code,
        ranked.opened_date,
        ranked.closed_date,
        cast({{ dbt.date_trunc('month', 'ranked.closed_date') }} as date) as closed_month

    from ranked
    inner join streets
        on ranked.street_code = streets.street_code
    where ranked.recency = 1

)

select * from final
