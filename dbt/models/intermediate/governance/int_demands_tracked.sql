{#-
    Each demand (诉求) once, with its latest known status: a demand is delivered in the month
    it is received and again in the month it is resolved, so the latest delivery wins.
-#}

with

demands as (

    select * from {{ ref('stg_services__demands') }}

),

categories as (

    select * from {{ ref('demand_categories') }}

),

streets as (

    select * from {{ ref('streets') }}

),

ranked as (

    select
        demands.*,
        row_number() over (
            partition by demands.demand_id order by demands.delivery_month desc
        ) as recency

    from demands

),

final as (

    select
        ranked.demand_id,
        ranked.channel,
        categories.category_code,
        ranked.street_code,
        streets.district_code,
        ranked.received_date,
        cast({{ dbt.date_trunc('month', 'ranked.received_date') }} as date) as received_month,
        ranked.resolved_date,
        cast({{ dbt.date_trunc('month', 'ranked.resolved_date') }} as date) as resolved_month,
        {{ dbt.datediff('ranked.received_date', 'ranked.resolved_date', 'day') }}
            as days_to_close,
        case
            when
                ranked.resolved_date
                <= {{ month_end(dbt.date_trunc('month', 'ranked.received_date')) }}
                then 1
            else 0
        end as is_closed_in_received_month,
        ranked.satisfaction

    from ranked
    inner join categories
        on ranked.category_name = categories.category_name
    left join streets
        on ranked.street_code = streets.street_code
    where ranked.recency = 1

)

select * from final
