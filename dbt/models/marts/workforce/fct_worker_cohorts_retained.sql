{#-
    Quarterly cohorts of new workers: how many started (active in their first month) and how
    many of those starters were active N months after their first month, per area and group of
    the starter's first month (so a cohort's retained workers are always among its starters). Person
    counts only. A point is published only once every member's N-th month has been reported,
    so a point never changes with a later month (as-of filtering is `last_month_start`).
    Published only through the disclosure-control gate.
-#}

with

worker_months as (

    select * from {{ ref('int_worker_months_aggregated') }}

),

data_window as (

    select
        min(month_start) as first_month_start,
        max(month_start) as last_month_start
    from worker_months

),

cohort_months as (

    select
        worker_months.worker_key,
        worker_months.month_start,
        worker_months.district_code,
        worker_months.group_code,
        cast({{ dbt.date_trunc('quarter', 'worker_months.first_onboard_date') }} as date) as cohort_start,
        {{ dbt.datediff(
            dbt.date_trunc('month', 'worker_months.first_onboard_date'),
            'worker_months.month_start',
            'month'
        ) }} as months_in

    from worker_months
    cross join data_window
    -- cohorts whose first months are inside the reported window (earlier starters' first
    -- months were never delivered)
    where worker_months.first_onboard_date >= data_window.first_month_start

),

-- retention follows the starters: workers active in their first month, counted in that
-- month's district and group
starter_months as (

    select
        cohort_months.worker_key,
        cohort_months.month_start,
        first_month.district_code,
        first_month.group_code,
        cohort_months.cohort_start,
        cohort_months.months_in

    from cohort_months
    inner join cohort_months as first_month
        on
            cohort_months.worker_key = first_month.worker_key
            and first_month.months_in = 0

),

counted as (

    select
        cohort_start,
        months_in,
        'city' as area_level,
        cast(null as {{ dbt.type_string() }}) as district_code,
        group_code,
        count(*) as workers
    from starter_months
    where months_in between 0 and 18
    group by cohort_start, months_in, group_code

    union all

    select
        cohort_start,
        months_in,
        'district' as area_level,
        district_code,
        group_code,
        count(*) as workers
    from starter_months
    where months_in between 0 and 18 and district_code is not null
    group by cohort_start, months_in, district_code, group_code

),

final as (

    select
        retained.cohort_start,
        cast(retained.months_in as {{ dbt.type_int() }}) as months_in,
        -- the last member's N-th month: the quarter's third month plus N
        cast({{ dbt.dateadd('month', 'retained.months_in + 2', 'retained.cohort_start') }} as date)
            as last_month_start,
        retained.area_level,
        retained.district_code,
        retained.group_code,
        cast(starters.workers as {{ type_double() }}) as starters,
        cast(retained.workers as {{ type_double() }}) as retained_workers,
        cast(retained.workers as {{ type_double() }}) / starters.workers as retention_rate

    from counted as retained
    inner join counted as starters
        on
            retained.cohort_start = starters.cohort_start
            and starters.months_in = 0
            and retained.area_level = starters.area_level
            and coalesce(retained.district_code, '') = coalesce(starters.district_code, '')
            and retained.group_code = starters.group_code
    cross join data_window
    where
        {{ dbt.dateadd('month', 'retained.months_in + 2', 'retained.cohort_start') }}
        <= data_window.last_month_start

)

select * from final
