with

tenure_bands as (

    select * from {{ ref('tenure_bands') }}

),

final as (

    select
        tenure_band,
        tenure_band_name,
        tenure_band_name_en,
        min_months,
        max_months,
        band_order

    from tenure_bands

)

select * from final
