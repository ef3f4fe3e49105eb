{#- 小哥码 measures of the platforms and compounds: platforms linked by each report month, and
    compound entries with the minutes they saved (per district and platform). -#}

with

spine as (

    select * from {{ ref('int_district_months_spanned') }}

),

registrations as (

    select * from {{ ref('stg_xiaogema__registrations') }}

),

platforms as (

    select * from {{ ref('platforms') }}

),

compound_entries as (

    select * from {{ ref('stg_xiaogema__compound_entries') }}

),

streets as (

    select * from {{ ref('streets') }}

),

months as (

    select distinct month_start from spine

),

linked_registrations as (

    select
        registrations.platform_code,
        registrations.registration_date

    from registrations
    inner join platforms
        on registrations.platform_code = platforms.platform_code
    where platforms.xiaogema_linked

),

entries as (

    select
        compound_entries.month_start,
        streets.district_code,
        compound_entries.platform_code,
        compound_entries.entries,
        compound_entries.seconds_saved

    from compound_entries
    inner join streets
        on compound_entries.street_code = streets.street_code

),

measures as (

    -- linked platforms any rider had registered on by the month's end
    select
        'xiaogema_platforms' as kpi_id,
        'count' as kind,
        months.month_start,
        cast(null as {{ dbt.type_string() }}) as district_code,
        cast(null as {{ dbt.type_string() }}) as platform_code,
        count(distinct linked_registrations.platform_code) as numerator,
        cast(null as {{ type_double() }}) as denominator
    from months
    left join linked_registrations
        on linked_registrations.registration_date <= {{ month_end('months.month_start') }}
    group by months.month_start

    union all

    select
        'xiaogema_compound_entries',
        'count',
        month_start,
        district_code,
        null,
        sum(entries),
        null
    from entries
    group by month_start, district_code

    union all

    select
        'xiaogema_minutes_saved_per_order',
        'ratio',
        month_start,
        district_code,
        platform_code,
        cast(sum(seconds_saved) as {{ type_double() }}) / 60,
        sum(entries)
    from entries
    group by month_start, district_code, platform_code

)

select
    {{ surrogate_key(['kpi_id', 'month_start', 'district_code', 'platform_code']) }} as measure_id,
    'delivery' as group_code,
    measures.*
from measures
