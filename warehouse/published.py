"""Read access to the published warehouse: a read-only connection opened per query.

Opening per query means a publish (an atomic rename of the file) is seen by the next query,
and no reader ever holds the file open across a publish.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path

import duckdb
import pandas as pd

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


def kpi_values(home: Home, month: str | None = None, district: str | None = None) -> dict:
    """KPI values for one month and area (city-wide unless a district is given), by KPI id.

    Rows broken down by platform are left out, and where a KPI is also broken down by group
    the all-groups row is the headline: these are the area's headline values.
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
    frame = query(
        home,
        """
        select k.kpi_id, c.name_zh, c.name_en, c.unit, c.value_kind,
               k.kpi_value, k.numerator, k.denominator, k.group_code, k.value_suppressed
        from fct_kpi_monthly as k
        join kpi_catalogue as c using (kpi_id)
        where k.month_start = ?
          and k.platform_code is null
          and k.area_level = case when ? is null then 'city' else 'district' end
          and (? is null or k.district_code = ?)
        order by k.kpi_id, k.group_code nulls first
        """,
        [start, district, district, district],
    )
    kpis = {}
    for row in frame.itertuples(index=False):
        if row.kpi_id in kpis:  # the all-groups row (sorted first) is the headline
            continue
        kpis[row.kpi_id] = {
            "value": _number(row.kpi_value),
            "numerator": _number(row.numerator),
            "denominator": _number(row.denominator),
            "unit": row.unit,
            "name_zh": row.name_zh,
            "name_en": row.name_en,
            "group": row.group_code,
            # hidden by the disclosure-control gate: the value is null
            "suppressed": bool(row.value_suppressed),
        }
    return {**build_info(home), "month": month, "district_code": district, "kpis": kpis}


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
