{#-
    Active workers by whole years on the job, per month, area and group: person counts, no
    person rows. Every band has a row (zero when nobody is in it), so the four bands of an
    area add up to its active workers. Published only through the disclosure-control gate.
-#}

with

worker_months as (

    select * from {{ ref('int_worker_months_aggregated') }}

),

tenure_bands as (

    select * from {{ ref('tenure_bands') }}

),

banded as (

    select
        worker_months.month_start,
        worker_months.district_code,
        worker_months.group_code,
        tenure_bands.tenure_band

    from worker_months
    inner join tenure_bands
        on
            worker_months.tenure_months >= tenure_bands.min_months
            and (tenure_bands.max_months is null or worker_months.tenure_months <= tenure_bands.max_months)

),

areas as (

    select distinct
        month_start,
        'city' as area_level,
        cast(null as {{ dbt.type_string() }}) as district_code,
        group_code
    from banded

    union all

    select distinct
        month_start,
        'district' as area_level,
        district_code,
        group_code
    from banded
    where district_code is not null

),

counted as (

    select
        month_start,
        'city' as area_level,
        cast(null as {{ dbt.type_string() }}) as district_code,
        group_code,
        tenure_band,
        count(*) as workers
    from banded
    group by month_start, group_code, tenure_band

    union all

    select
        month_start,
        'district' as area_level,
        district_code,
        group_code,
        tenure_band,
        count(*) as workers
    from banded
    where district_code is not null
    group by month_start, district_code, group_code, tenure_band

),

final as (

    select
        areas.month_start,
        areas.area_level,
        areas.district_code,
        areas.group_code,
        tenure_bands.tenure_band,
        tenure_bands.band_order,
        cast(coalesce(counted.workers, 0) as {{ type_double() }}) as workers

    from areas
    cross join tenure_bands
    left join counted
        on
            areas.month_start = counted.month_start
            and areas.area_level = counted.area_level
            and coalesce(areas.district_code, '') = coalesce(counted.district_code, '')
            and areas.group_code = counted.group_code
            and tenure_bands.tenure_band = counted.tenure_band

)

select * from final
