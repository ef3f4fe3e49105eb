with

source as (

    select * from {{ source('social_insurance', 'enrolment') }}

),

renamed as (

    select
        worker_key,
        cast(concat(_delivery_month, '-01') as date) as month_start,
        insurance_type as insurance_type_name,
        payer,
        contribution_base,
        _source_file as source_file,
        _loaded_at as loaded_at

    from source

)

select * from renamed
