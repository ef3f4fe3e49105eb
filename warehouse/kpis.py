"""Reading KPIs: the headline-row rule, series, breakdowns, a scope's KPI values, theme names.

The dashboards, the monthly pack and `xiaoge kpi` all read KPI figures through this module,
so one scope shows one figure everywhere. Each function takes a `Run` (SQL and parameters to
a DataFrame): the caller keeps its own access rule and cache (the dashboards pass their cached
runner for the signed-in viewer; the pack and the CLI pass `reader(home, district)`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from warehouse import kpi_status, names, strict_json
from warehouse.access import scoped_query
from warehouse.config import Home
from warehouse.errors import UserError
from warehouse.provenance import provenance
from warehouse.published import Run, build_info, month_start, published_month

BREAKDOWNS = ("district", "group", "platform")
# A KPI value with its parts, and whether the disclosure-control gate hid each.
VALUE_COLUMNS = [
    "value",
    "numerator",
    "denominator",
    "value_suppressed",
    "numerator_suppressed",
    "denominator_suppressed",
]
_FIGURES = """
    k.kpi_value as value, k.numerator, k.denominator, k.value_suppressed,
    k.numerator_suppressed, k.denominator_suppressed, k.group_code, k.platform_code
"""


@dataclass(frozen=True)
class Scope:
    """What the reader is looking at: a month and optional district, group and platform."""

    month: str
    district_code: str | None = None
    group_code: str | None = None
    platform_code: str | None = None


def reader(home: Home, district_code: str | None = None) -> Run:
    """A Run over the served file; with a district, over that district's rows only."""
    return lambda sql, params: scoped_query(home, sql, params, district_code)


# The headline-row rule, written once. One row per KPI, month and area: the row matching the
# group and platform filters where the KPI is broken down that way, else its headline row
# (all groups, all platforms).
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


def scoped_rows_params(scope: Scope, area_level: str | None = None) -> list:
    """Parameters of SCOPED_ROWS: the scope's district's rows (or the city's), or every row
    of `area_level` when it is given (every district)."""
    group, platform, district = scope.group_code, scope.platform_code, scope.district_code
    level = area_level or ("district" if district else "city")
    return [platform, group, level, district, district, platform, group, group, group]


def headline(run: Run, scope: Scope, theme: str | None = None) -> pd.DataFrame:
    """Each catalogue KPI (of a theme) in the scope's month, last month and a year ago, in page
    order, with its 三色 status: the area's target this month, goal and goal month, status
    and its words and colour (fct_kpi_status; city figures against city targets, a
    district's against its own). `reported` says whether the month has a row for the KPI at
    all; `has_target` whether the figure shown has a target this month."""
    frame = run(
        f"""
        with rows as ({SCOPED_ROWS})
        select c.kpi_id, c.name_zh, c.name_en, c.definition_zh, c.definition_en, c.unit,
               c.value_kind, c.direction, c.theme, c.status_tolerance, c.source_model,
               now.kpi_value as value, now.numerator, now.denominator,
               now.value_suppressed, now.numerator_suppressed, now.denominator_suppressed,
               now.group_code, now.platform_code, now.month_start is not null as reported,
               last_month.kpi_value as previous_month, last_year.kpi_value as previous_year,
               {kpi_status.columns(run)}
        from dim_kpi as c
        left join rows as now on now.kpi_id = c.kpi_id and strftime(now.month_start, '%Y-%m') = ?
        left join rows as last_month on last_month.kpi_id = c.kpi_id
            and last_month.month_start = cast(now.month_start - interval 1 month as date)
        left join rows as last_year on last_year.kpi_id = c.kpi_id
            and last_year.month_start = cast(now.month_start - interval 12 month as date)
        {kpi_status.join(run, "now")}
        where ?::varchar is null or c.theme = ?::varchar
        order by c.theme_page_order, c.kpi_id
        """,
        [*scoped_rows_params(scope), scope.month, theme, theme],
    )
    frame = kpi_status.with_words(frame.assign(has_target=frame["target"].notna()))
    # where each figure comes from: sources, 数据截至, the audit's result, the build
    return frame.merge(provenance(run, scope.month, scope.district_code), on="kpi_id", how="left")


def series(run: Run, kpi_id: str, scope: Scope) -> pd.DataFrame:
    """One KPI over every month up to the scope's month, with the month's `target` on the
    area's trajectory where the figure has one."""
    return run(
        f"""
        with rows as ({SCOPED_ROWS})
        select strftime(k.month_start, '%Y-%m') as month, {_FIGURES}, {kpi_status.target(run)}
        from rows as k
        {kpi_status.join(run, "k")}
        where k.kpi_id = ? and strftime(k.month_start, '%Y-%m') <= ?
        order by k.month_start
        """,
        [*scoped_rows_params(scope), kpi_id, scope.month],
    )


def theme_series(run: Run, theme: str, scope: Scope) -> pd.DataFrame:
    """Every KPI of a theme over the months up to the scope's month (long format)."""
    return run(
        f"""
        with rows as ({SCOPED_ROWS})
        select k.kpi_id, strftime(k.month_start, '%Y-%m') as month, {_FIGURES}
        from rows as k join dim_kpi as c using (kpi_id)
        where c.theme = ? and strftime(k.month_start, '%Y-%m') <= ?
        order by k.kpi_id, k.month_start
        """,
        [*scoped_rows_params(scope), theme, scope.month],
    )


def by_district(run: Run, scope: Scope, kpi_id: str | None = None) -> pd.DataFrame:
    """A KPI (or every KPI) for every district in the scope's month, the row of each picked
    by the headline rule with the scope's group and platform filters, with its status
    against that district's own target (none where the district has no target)."""
    every_district = Scope(scope.month, None, scope.group_code, scope.platform_code)
    frame = run(
        f"""
        with rows as ({SCOPED_ROWS})
        select k.kpi_id, k.district_code, d.district_name, d.district_name_pinyin, {_FIGURES},
               {kpi_status.columns(run)}
        from rows as k
        join dim_district as d using (district_code)
        {kpi_status.join(run, "k")}
        where strftime(k.month_start, '%Y-%m') = ? and (?::varchar is null or k.kpi_id = ?)
        order by k.kpi_id, k.district_code
        """,
        [*scoped_rows_params(every_district, "district"), scope.month, kpi_id, kpi_id],
    )
    return kpi_status.with_words(frame)


def breakdown(run: Run, scope: Scope, by: str, kpi_id: str | None = None) -> pd.DataFrame:
    """A KPI (or every KPI) in the scope's area and month by `group` (all platforms) or by
    `platform`: `code` and its Chinese name `name_zh`, with the figures."""
    if by not in ("group", "platform"):
        raise ValueError(by)
    names_table = "dim_worker_group" if by == "group" else "dim_platform"
    platform_rows = "is null" if by == "group" else "is not null"
    return run(
        f"""
        select k.kpi_id, k.{by}_code as code, n.{by}_name as name_zh, {_FIGURES}
        from fct_kpi_monthly as k
        left join {names_table} as n on n.{by}_code = k.{by}_code
        where strftime(k.month_start, '%Y-%m') = ? and (?::varchar is null or k.kpi_id = ?)
          and k.{by}_code is not null and k.platform_code {platform_rows}
          and k.area_level = case when ?::varchar is null then 'city' else 'district' end
          and (?::varchar is null or k.district_code = ?::varchar)
        order by k.kpi_id, code
        """,
        [scope.month, kpi_id, kpi_id, *[scope.district_code] * 3],
    )


def month_rows(run: Run, month: str, district: str | None) -> pd.DataFrame:
    """Every row of a month in long format (city-wide and every district, or one district),
    as the monthly pack holds them; hidden figures null with their `*_suppressed` flags."""
    return run(
        """
        select k.kpi_id, c.name_zh as kpi_name, strftime(k.month_start, '%Y-%m') as month,
               coalesce(d.district_name, '全市') as area, k.district_code, k.group_code,
               k.platform_code, k.kpi_value as value, k.numerator, k.denominator, c.unit,
               k.value_suppressed, k.numerator_suppressed, k.denominator_suppressed
        from fct_kpi_monthly as k
        join dim_kpi as c using (kpi_id)
        left join dim_district as d using (district_code)
        where k.month_start = ?
          and (?::varchar is null or k.district_code = ?::varchar)
        order by k.kpi_id, k.area_level, k.district_code nulls first, k.group_code nulls first,
                 k.platform_code nulls first
        """,
        [month_start(month), district, district],
    )


def theme_names(run: Run, lang: str = "zh") -> dict[str, str]:
    """Theme code -> its name (dim_kpi_theme), in page order."""
    frame = run(
        f"select theme, name_{'en' if lang == 'en' else 'zh'} as name from dim_kpi_theme order by page_order",
        [],
    )
    return dict(zip(frame["theme"], frame["name"], strict=True))


def kpi_values(
    home: Home,
    month: str | None = None,
    district: str | None = None,
    group: str | None = None,
    breakdowns: bool = False,
) -> dict:
    """KPI values for one month and area (city-wide unless a district is given), by KPI id:
    `xiaoge kpi`'s answer.

    Each KPI's figure is its headline row for the scope (the dashboards' card): where a KPI
    is also broken down by group, the all-groups row, or with `group` that group's row; a
    KPI not broken down by that group keeps its headline, and each item's `group` says
    whose figure it is. With `breakdowns`, each KPI's rows by district (city-wide only), by
    group and by platform, as the dashboards' breakdown charts show them. Figures hidden by
    the disclosure-control gate are None, with `suppressed`.
    """
    month = published_month(home, month)
    run = reader(home)
    if district is not None:
        known = run("select district_code from dim_district", [])["district_code"].tolist()
        if district not in known:
            raise UserError(f"没有区县代码 {district}:可用代码 {', '.join(known)}")
    if group is not None:
        names.group(group)
    scope = Scope(month, district, group)
    frame = headline(run, scope)
    kpis = {
        row.kpi_id: {
            **_figures(row),
            "unit": row.unit,
            "name_zh": row.name_zh,
            "name_en": row.name_en,
            "group": row.group_code,
            "suppressed": bool(row.value_suppressed),
            **_judgement(row),
        }
        for row in frame[frame["reported"]].sort_values("kpi_id").itertuples(index=False)
    }
    values = {**build_info(home), "month": month, "district_code": district}
    if group is not None:
        values["group_code"] = group
    values["kpis"] = kpis
    if breakdowns:
        found = _breakdowns(run, scope)
        values["breakdowns"] = {
            kpi_id: {by: found.get((kpi_id, by), []) for by in BREAKDOWNS} for kpi_id in kpis
        }
    return strict_json.plain(values)  # a missing code is None, as in the JSON, not NaN


def _breakdowns(run: Run, scope: Scope) -> dict[tuple[str, str], list[dict]]:
    """The scope's breakdown rows by (KPI id, dimension): every district's (city-wide only),
    the area's per group and per platform."""
    frames = {by: breakdown(run, scope, by) for by in ("group", "platform")}
    if scope.district_code is None:
        frames["district"] = by_district(run, scope).rename(
            columns={"district_code": "code", "district_name": "name_zh"}
        )
    found: dict[tuple[str, str], list[dict]] = {}
    for by, frame in frames.items():
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


# What `xiaoge kpi` gives beside each figure: its 三色 status against the area's target, and
# where the figure comes from (columns the provenance module adds; None where absent).
PROVENANCE = ("sources", "sources_zh", "data_as_of", "audit_zh")


def _judgement(row: Any) -> dict:
    """A headline row's target, goal, status (None where there is none or it is hidden,
    then `status_suppressed`) and provenance."""
    found = {
        "target": _number(row.target),
        "goal": _number(row.goal),
        "goal_month": row.goal_month if isinstance(row.goal_month, str) else None,
        "status": row.status if isinstance(row.status, str) else None,
        "status_name_zh": row.status_name_zh if isinstance(row.status_name_zh, str) else None,
        "status_suppressed": bool(row.status_suppressed),
    }
    for name in PROVENANCE:
        item = getattr(row, name, None)
        if name == "sources":
            item = list(item) if isinstance(item, list | tuple | np.ndarray) else None
        found[name] = item
    return found


def _figures(row: Any) -> dict:
    """A row's value, numerator and denominator (hidden or missing: None)."""
    return {key: _number(getattr(row, key)) for key in ("value", "numerator", "denominator")}


def _number(value: float | None) -> float | int | None:
    if value is None or pd.isna(value):
        return None
    return int(value) if float(value).is_integer() else float(value)
