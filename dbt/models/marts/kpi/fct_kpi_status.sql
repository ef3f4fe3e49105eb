{#- Each headline figure against its area's target (seeds/kpi_targets.csv): the month's point on
    the trajectory toward the goal, and the 三色 status. The rule is in fct_kpi_status.yml. -#}

with

kpi_rows as (

    select * from {{ ref('fct_kpi_monthly') }}

),

kpi_targets as (

    select * from {{ ref('kpi_targets') }}

),

kpis as (

    select * from {{ ref('dim_kpi') }}

),

-- The headline row of each KPI, month and area, as the cards pick it with no filter: all
-- platforms, and all groups, or the first group where the KPI is only given by group.
headline_rows as (

    select
        kpi_row_id,
        kpi_id,
        month_start,
        area_level,
        district_code,
        group_code,
        platform_code,
        kpi_value,
        extract(year from month_start) * 12 + extract(month from month_start) as month_index,
        row_number() over (
            partition by kpi_id, month_start, area_level, district_code
            order by group_code nulls first
        ) as pick

    from kpi_rows
    where platform_code is null

),

trajectories as (

    select
        kpi_id,
        case when district_code is null then 'city' else 'district' end as area_level,
        coalesce(district_code, '') as area_code,
        start_value,
        goal,
        goal_month,
        cast(substring(start_month, 1, 4) as int) * 12
        + cast(substring(start_month, 6, 2) as int) as start_index,
        cast(substring(goal_month, 1, 4) as int) * 12
        + cast(substring(goal_month, 6, 2) as int) as goal_index

    from kpi_targets

),

-- A month takes the trajectory that started last on or before it; after its goal month,
-- the goal itself stays the target.
trajectory_points as (

    select
        headline_rows.kpi_row_id,
        headline_rows.kpi_id,
        trajectories.goal,
        trajectories.goal_month,
        round(
            case
                when headline_rows.month_index >= trajectories.goal_index then trajectories.goal
                else
                    trajectories.start_value
                    + (trajectories.goal - trajectories.start_value)
                    * (headline_rows.month_index - trajectories.start_index)
                    / (trajectories.goal_index - trajectories.start_index)
            end,
            6
        ) as trajectory_point,
        row_number() over (
            partition by headline_rows.kpi_row_id
            order by trajectories.start_index desc
        ) as latest

    from headline_rows
    inner join trajectories
        on
            headline_rows.kpi_id = trajectories.kpi_id
            and headline_rows.area_level = trajectories.area_level
            and coalesce(headline_rows.district_code, '') = trajectories.area_code
            and headline_rows.month_index >= trajectories.start_index
    where headline_rows.pick = 1

),

-- A count's target is a whole number (48 organisations, not 47.8), rounded the way that
-- does not lower the bar: up where more is better, down where less is better. A whole-number
-- figure meets the rounded target exactly when it meets the point on the line.
month_targets as (

    select
        trajectory_points.kpi_row_id,
        trajectory_points.goal,
        trajectory_points.goal_month,
        trajectory_points.latest,
        case
            when kpis.value_kind = 'count' and kpis.direction = 'down'
                then cast(floor(trajectory_points.trajectory_point) as double)
            when kpis.value_kind = 'count'
                then cast(ceil(trajectory_points.trajectory_point) as double)
            else trajectory_points.trajectory_point
        end as target_value

    from trajectory_points
    inner join kpis
        on trajectory_points.kpi_id = kpis.kpi_id

),

judged as (

    select
        headline_rows.kpi_row_id,
        headline_rows.kpi_id,
        headline_rows.month_start,
        headline_rows.area_level,
        headline_rows.district_code,
        headline_rows.group_code,
        headline_rows.platform_code,
        previous_rows.kpi_row_id as previous_kpi_row_id,
        month_targets.target_value,
        month_targets.goal,
        month_targets.goal_month,
        kpis.status_tolerance,
        -- Rounded to the six decimals figures are stored with, so float noise cannot move a
        -- figure across a boundary.
        round(
            case
                when kpis.direction = 'down' then headline_rows.kpi_value - month_targets.target_value
                else month_targets.target_value - headline_rows.kpi_value
            end,
            6
        ) as shortfall,
        round(coalesce(kpis.status_tolerance, 0) * abs(month_targets.target_value), 6) as tolerated,
        -- A move counts where it shows in the published change (0.1 percentage point for a
        -- rate, 0.1 of the unit otherwise): a change that reads 持平 is no move.
        case
            when kpis.direction = 'down'
                then round(
                    (headline_rows.kpi_value - previous_rows.kpi_value)
                    * case when kpis.value_kind = 'rate' then 100 else 1 end,
                    1
                ) > 0
            else round(
                (headline_rows.kpi_value - previous_rows.kpi_value)
                * case when kpis.value_kind = 'rate' then 100 else 1 end,
                1
            ) < 0
        end as moved_wrong_way

    from headline_rows
    inner join kpis
        on headline_rows.kpi_id = kpis.kpi_id
    left join month_targets
        on
            headline_rows.kpi_row_id = month_targets.kpi_row_id
            and month_targets.latest = 1
    left join headline_rows as previous_rows
        on
            headline_rows.kpi_id = previous_rows.kpi_id
            and headline_rows.area_level = previous_rows.area_level
            and coalesce(headline_rows.district_code, '') = coalesce(previous_rows.district_code, '')
            and headline_rows.month_index - 1 = previous_rows.month_index
            and previous_rows.pick = 1
    where headline_rows.pick = 1

),

final as (

    select
        kpi_row_id,
        kpi_id,
        month_start,
        area_level,
        district_code,
        group_code,
        platform_code,
        previous_kpi_row_id,
        target_value,
        goal,
        goal_month,
        status_tolerance,
        case
            when target_value is null or shortfall is null then null
            when shortfall <= 0 then 'green'
            when shortfall > tolerated or coalesce(moved_wrong_way, false) then 'red'
            else 'yellow'
        end as status

    from judged

)

select * from final
