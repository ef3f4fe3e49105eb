"""The catalogue's KPI definitions recomputed in plain SQL, for tests/test_kpi_definitions.py.

Each KPI is recomputed straight from the raw zone's Parquet files (the current parts,
`raw/<system>/<table>/month=<YYYY-MM>/<file stem>.parquet`, docs/ingest.md) and the seeds,
following only the wording of its row in seeds/kpi_catalogue.csv, the terms of
seeds/kpi_terms.csv it names in 【】 and docs/sources.md; none of it comes from the dbt models.
"""

from __future__ import annotations

import csv
from pathlib import Path

import duckdb
import pandas as pd

from warehouse.config import SEEDS_DIR

MONTHS = ("2025-06", "2024-06")
DISTRICTS = ("330106", "330102")  # 西湖区, 上城区
UNKNOWN = "unknown"  # 未知区县, where a definition says people whom no roster places count
KEY = ["area_level", "district_code", "group_code", "platform_code"]
RAW_TABLES = {
    "activity": "platform/monthly_activity",
    "roster": "platform/worker_roster",
    "enrolment": "social_insurance/enrolment",
    "registrations": "xiaogema/registrations",
    "stations": "service_network/stations",
    "scenes": "service_network/friendly_scenes",
}


def seed(name: str) -> list[dict[str, str]]:
    with (SEEDS_DIR / f"{name}.csv").open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


# The role 站点管理人员 and each insurance type's name, as the sources write them.
STATION_MANAGER = next(
    r["role_name"] for r in seed("worker_roles") if r["role_code"] == "station_manager"
)
INSURANCE = {r["kpi_id"]: r["insurance_type_name"] for r in seed("insurance_types")}


def open_raw(home: Path) -> duckdb.DuckDBPyConnection:
    """An in-memory database with a view per raw table (its current parts only: superseded
    deliveries and quarantined rows live elsewhere, under raw/_deliveries and raw/_quarantine)
    and the platforms seed (each platform's group)."""
    con = duckdb.connect()
    for name, table in RAW_TABLES.items():
        parts = home / "raw" / table / "month=*" / "*.parquet"
        con.execute(
            f"create view {name} as select * from read_parquet('{parts}', "
            "union_by_name = true, hive_partitioning = false)"
        )
    platforms = SEEDS_DIR / "platforms.csv"
    con.execute(
        f"create table platforms as select * from read_csv('{platforms}', all_varchar = true)"
    )
    return con


# --- the people of a month, by the terms of seeds/kpi_terms.csv ------------------------------

# 在岗人员 (active person): a row in any platform's monthly activity file for the month; the
# platform is the file's sender. One row per person and platform they were active on.
PERSON_PLATFORMS = """
    create or replace table person_platforms as
    select a.worker_key, a._sender as platform_code, p.group_code, a.orders, a.income_yuan
    from activity as a
    join platforms as p on p.platform_code = a._sender
    where a._delivery_month = $month
"""

# One row per active person with what the definitions use.
PEOPLE = """
    create or replace table people as
    with
    -- 当月花名册属性: the platform's roster row of the month, else its latest earlier one
    roster_as_of_month as (
        select worker_key, _sender as platform_code, district_code, role
        from roster
        where _delivery_month <= $month
        qualify row_number() over (
            partition by worker_key, _sender order by _delivery_month desc) = 1
    ),
    -- 主平台: platforms giving a district first, then most orders, then the first code
    main_platform as (
        select pp.worker_key, pp.platform_code, pp.group_code, r.district_code
        from person_platforms as pp
        left join roster_as_of_month as r using (worker_key, platform_code)
        qualify row_number() over (
            partition by pp.worker_key
            order by r.district_code is null, pp.orders desc, pp.platform_code) = 1
    ),
    -- 岗位: a station manager on any platform's roster attributes as of the month
    managers as (
        select distinct worker_key from roster_as_of_month where role = $station_manager
    ),
    -- 从业时长: the earliest onboarding date on the roster rows (any month) of the platforms
    -- the person has activity on, or the first day of the first month with activity if earlier
    platforms_ever as (
        select distinct worker_key, _sender as platform_code,
            min(_delivery_month) over (partition by worker_key) as first_month
        from activity
    ),
    first_onboarding as (
        select e.worker_key,
            least(min(strptime(e.first_month || '-01', '%Y-%m-%d')::date), min(r.onboard_date))
                as first_day
        from platforms_ever as e
        left join roster as r on r.worker_key = e.worker_key and r._sender = e.platform_code
        group by e.worker_key
    ),
    income as (
        select worker_key, sum(income_yuan) as income_yuan from person_platforms group by worker_key
    ),
    -- 小哥码: a registration on any platform dated on or before the month's last day
    registered as (
        select distinct worker_key from registrations
        where registration_date <= last_day(strptime($month || '-01', '%Y-%m-%d')::date)
    )
    select
        m.worker_key,
        m.platform_code as main_platform,
        m.group_code,
        coalesce(m.district_code, 'unknown') as district_code,
        managers.worker_key is null as is_frontline,
        date_diff('month', date_trunc('month', f.first_day),
                  strptime($month || '-01', '%Y-%m-%d')::date) as tenure_months,
        income.income_yuan,
        registered.worker_key is not null as is_registered
    from main_platform as m
    join first_onboarding as f using (worker_key)
    join income using (worker_key)
    left join managers using (worker_key)
    left join registered using (worker_key)
"""

# --- each KPI's rows, from its definition ------------------------------------------------------

ROW = "area_level, district_code, group_code, platform_code, kpi_value, numerator, denominator"


def count_rows() -> str:
    """workforce_active: active persons; city and districts (by the main platform, 未知区县
    included) for all groups and per group of the main platform; platform rows count every
    person active on the platform."""
    return f"""
        select {ROW} from (
            select 'city' as area_level, null as district_code, null as group_code,
                null as platform_code, count(*) as kpi_value from people
            union all
            select 'city', null, group_code, null, count(*) from people group by group_code
            union all
            select 'district', district_code, null, null, count(*) from people
            group by district_code
            union all
            select 'district', district_code, group_code, null, count(*) from people
            group by district_code, group_code
            union all
            select 'city', null, group_code, platform_code, count(distinct worker_key)
            from person_platforms group by group_code, platform_code
        ) cross join (select null as numerator, null as denominator)
    """


def rate_rows(population: str, counted: str, platform_rows: str) -> str:
    """A share of people: `counted` among the people of `population`; city and district rows
    per group of the main platform (with the main platform's district); platform rows either
    by the main platform (`main`) or for everyone active on the platform (`active`)."""
    if platform_rows == "main":
        by_platform = f"""
            select 'city', null, group_code, main_platform, count(*) filter ({counted}), count(*)
            from people where {population} group by group_code, main_platform
        """
    else:
        by_platform = f"""
            select 'city', null, pp.group_code, pp.platform_code,
                count(*) filter ({counted}), count(*)
            from person_platforms as pp join people using (worker_key)
            where {population} group by pp.group_code, pp.platform_code
        """
    return f"""
        select area_level, district_code, group_code, platform_code,
            numerator / denominator as kpi_value, numerator, denominator
        from (
            select 'city' as area_level, null as district_code, group_code,
                null as platform_code, count(*) filter ({counted}) as numerator,
                count(*) as denominator
            from people where {population} group by group_code
            union all
            select 'district', district_code, group_code, null, count(*) filter ({counted}),
                count(*)
            from people where {population} group by district_code, group_code
            union all
            {by_platform}
        )
    """


def insurance_rows(insurance_type: str) -> str:
    """Front-line active persons with a row of this insurance type for the month."""
    counted = (
        "exists (select 1 from enrolment as e where e.worker_key = people.worker_key "
        f"and e._delivery_month = $month and e.insurance_type = '{insurance_type}')"
    )
    return rate_rows("is_frontline", counted, "main")


def income_uplift_rows() -> str:
    """Registered minus unregistered mean income of front-line delivery persons; city only,
    not reported when either group is empty."""
    return f"""
        select {ROW} from (
            select 'city' as area_level, null as district_code, 'delivery' as group_code,
                null as platform_code,
                avg(income_yuan) filter (is_registered)
                    - avg(income_yuan) filter (not is_registered) as kpi_value,
                null as numerator, null as denominator,
                count(*) filter (is_registered) as registered,
                count(*) filter (not is_registered) as unregistered
            from people where group_code = 'delivery' and is_frontline
        ) where registered > 0 and unregistered > 0
    """


# Haversine great-circle distance in km, Earth radius 6371.0088 km.
HAVERSINE = """
    2 * 6371.0088 * asin(sqrt(
        pow(sin(radians(st.lat - sc.lat) / 2), 2)
        + cos(radians(sc.lat)) * cos(radians(st.lat)) * pow(sin(radians(st.lon - sc.lon) / 2), 2)))
"""


def coverage_rows() -> str:
    """Friendly scenes of the month's registry active at month end with a station of the
    month's registry open at month end within 3 km / those scenes; districts by the scene."""
    month_end = "last_day(strptime($month || '-01', '%Y-%m-%d')::date)"
    return f"""
        with
        active_scenes as (
            select scene_id, district_code, lon, lat from scenes
            where _delivery_month = $month and opened_date <= {month_end}
              and (closed_date is null or closed_date > {month_end})
        ),
        open_stations as (
            select lon, lat from stations
            where _delivery_month = $month and open_date <= {month_end}
              and (close_date is null or close_date > {month_end})
        ),
        covered as (
            select sc.scene_id, sc.district_code,
                exists (select 1 from open_stations as st where {HAVERSINE} <= 3.0) as covered
            from active_scenes as sc
        )
        select area_level, district_code, null as group_code, null as platform_code,
            numerator / denominator as kpi_value, numerator, denominator
        from (
            select 'city' as area_level, null as district_code,
                count(*) filter (covered) as numerator, count(*) as denominator
            from covered
            union all
            select 'district', district_code, count(*) filter (covered), count(*)
            from covered group by district_code
        )
    """


RECOMPUTED = {
    "workforce_active": count_rows(),
    "tenure_over_1y_share": rate_rows("true", "tenure_months >= 12", "active"),
    **{kpi_id: insurance_rows(kind) for kpi_id, kind in INSURANCE.items()},
    "xiaogema_registration_rate": rate_rows(
        "group_code = 'delivery' and is_frontline", "is_registered", "main"
    ),
    "xiaogema_income_uplift_yuan": income_uplift_rows(),
    "station_15min_coverage_rate": coverage_rows(),
}
# Where 未知区县 exists: the definitions that place people by the main platform's district.
WITH_UNKNOWN = set(RECOMPUTED) - {"station_15min_coverage_rate", "xiaogema_income_uplift_yuan"}


def recompute(home: Path) -> pd.DataFrame:
    """Every KPI's rows in MONTHS, recomputed from the raw zone."""
    con = open_raw(home)
    frames = []
    for month in MONTHS:
        con.execute(PERSON_PLATFORMS, {"month": month})
        con.execute(PEOPLE, {"month": month, "station_manager": STATION_MANAGER})
        for kpi_id, sql in RECOMPUTED.items():
            params = {"month": month} if "$month" in sql else {}
            frame = con.execute(sql, params).df()
            frames.append(frame.assign(kpi_id=kpi_id, month=month))
    con.close()
    return pd.concat(frames, ignore_index=True)
