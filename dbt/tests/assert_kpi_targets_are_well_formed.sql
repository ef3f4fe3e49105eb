{#- Every target's months are YYYY-MM, and its goal month comes after its start month (the
    trajectory divides by the months between them). -#}

with

kpi_targets as (

    select * from {{ ref('kpi_targets') }}

)

select
    kpi_id,
    district_code,
    start_month,
    goal_month

from kpi_targets
where
    length(start_month) <> 7
    or length(goal_month) <> 7
    or substring(start_month, 5, 1) <> '-'
    or substring(goal_month, 5, 1) <> '-'
    or cast(substring(start_month, 6, 2) as int) not between 1 and 12
    or cast(substring(goal_month, 6, 2) as int) not between 1 and 12
    or goal_month <= start_month
