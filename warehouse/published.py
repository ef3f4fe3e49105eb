"""Read access to the published warehouse: a read-only connection opened per query.

Opening per query means a publish (an atomic rename of the file) is seen by the next query,
and no reader ever holds the file open across a publish.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from warehouse import names, strict_json
from warehouse.config import Home
from warehouse.duck import connect
from warehouse.errors import UserError

NOT_PUBLISHED = "还没有已发布的数据:先运行 xiaoge demo,或 xiaoge ingest 后 xiaoge build"


@contextmanager
def read_only(home: Home) -> Iterator[duckdb.DuckDBPyConnection]:
    if not home.published_db.exists():
        raise UserError(NOT_PUBLISHED)
    con = connect(home.published_db, read_only=True)
    try:
        yield con
    finally:
        con.close()


def query(home: Home, sql: str, params: list | None = None) -> pd.DataFrame:
    """Run one parameterised query against the published warehouse."""
    with read_only(home) as con:
        return con.execute(sql, params or []).df()


def published_version(home: Home) -> Path:
    """The file's identity (inode and mtime change on every publish), for cache keys."""
    stat = home.published_db.stat() if home.published_db.exists() else None
    return Path(f"{stat.st_ino}-{stat.st_mtime_ns}") if stat else Path("none")


def month_start(month: str, shift: int = 0) -> date:
    """'YYYY-MM' -> the first day of that month (or of the month `shift` months later), or a
    one-line error."""
    try:
        year, mon = (int(part) for part in month.split("-"))
        date(year, mon, 1)  # refuses a month such as 2025-13
        index = year * 12 + mon - 1 + shift
        return date(index // 12, index % 12 + 1, 1)
    except ValueError:
        raise UserError(f"月份 {month!r} 格式不对:请写成 YYYY-MM,例如 2025-06") from None


def available_months(home: Home) -> list[str]:
    frame = query(
        home, "select distinct strftime(month_start, '%Y-%m') as m from fct_kpi_monthly order by m"
    )
    return frame["m"].tolist()


def build_info(home: Home) -> dict:
    frame = query(home, "select build_id, built_at, tool_version from xiaoge_build")
    row = frame.iloc[0]
    return {
        "build_id": row["build_id"],
        "built_at": row["built_at"].isoformat(),
        "tool_version": row["tool_version"],
    }


# One row per KPI, month and area for a scope: the row matching the group and platform
# filters where the KPI is broken down that way, else its headline row (all groups, all
# platforms). The dashboards and `xiaoge kpi` pick rows with it, so they show the same figure.
SCOPED_ROWS = """
    with scoped as (
        select k.*,
            row_number() over (
                partition by k.kpi_id, k.month_start, k.district_code
                order by
                    case when k.platform_code = ?::varchar then 0 when k.platform_code is null then 1 else 2 end,
                    case when k.group_code = ?::varchar then 0 when k.group_code is null then 1 else 2 end,
                    -- ties (a KPI with group rows only): the first group
                    k.group_code nulls first, k.platform_code nulls first
            ) as pick
        from fct_kpi_monthly as k
        where k.area_level = ?::varchar
          and (?::varchar is null or k.district_code = ?::varchar)
          and (k.platform_code is null or k.platform_code = ?::varchar)
          and (k.group_code is null or ?::varchar is null or k.group_code = ?::varchar
               or not exists (
                   select 1 from fct_kpi_monthly as g
                   where g.kpi_id = k.kpi_id and g.group_code = ?::varchar))
    )
    select * from scoped where pick = 1
"""


def scoped_rows_params(
    district_code: str | None,
    group_code: str | None = None,
    platform_code: str | None = None,
    area_level: str | None = None,
) -> list:
    """Parameters of SCOPED_ROWS: the district's rows (or the city's), or every row of
    `area_level` when it is given (every district)."""
    return [
        platform_code,
        group_code,
        area_level or ("district" if district_code else "city"),
        district_code,
        district_code,
        platform_code,
        group_code,
        group_code,
        group_code,
    ]


BREAKDOWNS = ("district", "group", "platform")


def kpi_values(
    home: Home,
    month: str | None = None,
    district: str | None = None,
    group: str | None = None,
    breakdowns: bool = False,
) -> dict:
    """KPI values for one month and area (city-wide unless a district is given), by KPI id.

    Each KPI's row is the one the dashboards show for the same filters (SCOPED_ROWS). Rows
    broken down by platform are left out, and where a KPI is also broken down by group the
    all-groups row is the headline, or with `group` that group's row; a KPI not broken down
    by that group keeps its headline, and each item's `group` says whose figure it is.

    With `breakdowns`, `breakdowns` holds every KPI's rows by district, group and platform
    as the dashboards' breakdown charts show them (see `_breakdowns`). Figures hidden by the
    disclosure-control gate are None, with `suppressed`.
    """
    months = available_months(home)
    if not months:
        raise UserError(NOT_PUBLISHED)
    month = month or months[-1]
    start = month_start(month)
    if month not in months:
        raise UserError(f"没有 {month} 的数据:已发布的月份为 {months[0]} 至 {months[-1]}")
    if district is not None:
        known = query(home, "select district_code from dim_district")["district_code"].tolist()
        if district not in known:
            raise UserError(f"没有区县代码 {district}:可用代码 {', '.join(known)}")
    if group is not None:
        names.group(group)
    frame = query(
        home,
        f"""
        with rows as ({SCOPED_ROWS})
        select k.kpi_id, c.name_zh, c.name_en, c.unit, k.kpi_value, k.numerator, k.denominator,
               k.group_code, k.platform_code, k.value_suppressed
        from rows as k
        join kpi_catalogue as c using (kpi_id)
        where k.month_start = ?
        order by k.kpi_id
        """,
        [*scoped_rows_params(district, group), start],
    )
    kpis = {
        row.kpi_id: {
            **_figures(row),
            "unit": row.unit,
            "name_zh": row.name_zh,
            "name_en": row.name_en,
            "group": row.group_code,
            # hidden by the disclosure-control gate: the value is null
            "suppressed": bool(row.value_suppressed),
        }
        for row in frame.itertuples(index=False)
    }
    values = {**build_info(home), "month": month, "district_code": district}
    if group is not None:
        values["group_code"] = group
    values["kpis"] = kpis
    if breakdowns:
        found = _breakdowns(home, start, district, group)
        values["breakdowns"] = {
            kpi_id: {by: found.get((kpi_id, by), []) for by in BREAKDOWNS} for kpi_id in kpis
        }
    return strict_json.plain(values)  # a missing code is None, as in the JSON, not NaN


def _breakdowns(
    home: Home, start: date, district: str | None, group: str | None
) -> dict[tuple[str, str], list[dict]]:
    """A month's breakdown rows by (KPI id, dimension), as the dashboards' charts show them:

    - `district`: every district's row (the group's where `group` is given and the KPI is
      broken down by it, as SCOPED_ROWS picks), for the city-wide view only;
    - `group`: the area's (the city's or the district's) row per group, all platforms;
    - `platform`: the area's row per platform (the platform's `group` with it).

    Each row: code, name_zh, value, numerator, denominator, suppressed (the value hidden,
    as in the headline), numerator_suppressed, denominator_suppressed, group, platform.
    """
    area = "k.area_level = case when ?::varchar is null then 'city' else 'district' end " + (
        "and (?::varchar is null or k.district_code = ?::varchar)"
    )
    figures = "k.kpi_id, k.kpi_value, k.numerator, k.denominator, k.value_suppressed, " + (
        "k.numerator_suppressed, k.denominator_suppressed, k.group_code, k.platform_code"
    )
    queries = {
        "group": (
            f"""
            select {figures}, k.group_code as code, g.group_name as name_zh
            from fct_kpi_monthly as k
            left join worker_groups as g on g.group_code = k.group_code
            where k.month_start = ? and k.group_code is not null and k.platform_code is null
              and {area}
            """,
            [start, district, district, district],
        ),
        "platform": (
            f"""
            select {figures}, k.platform_code as code, p.platform_name as name_zh
            from fct_kpi_monthly as k
            left join platforms as p on p.platform_code = k.platform_code
            where k.month_start = ? and k.platform_code is not null and {area}
            """,
            [start, district, district, district],
        ),
    }
    if district is None:
        queries["district"] = (
            f"""
            with rows as ({SCOPED_ROWS})
            select {figures}, k.district_code as code, d.district_name as name_zh
            from rows as k
            join dim_district as d on d.district_code = k.district_code
            where k.month_start = ?
            """,
            [*scoped_rows_params(None, group, area_level="district"), start],
        )
    found: dict[tuple[str, str], list[dict]] = {}
    with read_only(home) as con:
        for by, (sql, params) in queries.items():
            frame = con.execute(f"{sql} order by k.kpi_id, code", params).df()
            for row in frame.itertuples(index=False):
                found.setdefault((row.kpi_id, by), []).append(
                    {
                        "code": row.code,
                        "name_zh": row.name_zh,
                        **_figures(row),
                        "suppressed": bool(row.value_suppressed),
                        "numerator_suppressed": bool(row.numerator_suppressed),
                        "denominator_suppressed": bool(row.denominator_suppressed),
                        "group": row.group_code,
                        "platform": row.platform_code,
                    }
                )
    return found


def _figures(row: Any) -> dict:
    """A fct_kpi_monthly row's value, numerator and denominator (hidden or missing: None)."""
    return {
        "value": _number(row.kpi_value),
        "numerator": _number(row.numerator),
        "denominator": _number(row.denominator),
    }


def area_targets(headline: pd.DataFrame, district_code: str | None) -> pd.DataFrame:
    """Headline rows with the catalogue's `target` kept for city-wide figures only.

    `kpi_catalogue.target` is the city's goal (3,025 stations for the whole city): judged
    against it, every district would read as failing. Until districts have targets of their
    own, a district's figures carry none. `has_target` still says which KPIs are the
    programme's goals, for pages that give those their place.
    """
    frame = headline.assign(has_target=headline["target"].notna())
    if district_code is not None:
        frame["target"] = float("nan")
    return frame


def _number(value: float | None) -> float | int | None:
    if value is None or pd.isna(value):
        return None
    return int(value) if float(value).is_integer() else float(value)
