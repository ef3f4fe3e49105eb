"""The dashboards' only access to data: read-only, parameterised, cached per published version.

Every query opens the published file read-only and closes it again, so a new publish is
seen on the next query without a restart. Cache keys include the file's identity (folder,
inode and mtime), which changes on every publish. Queries take their filter values as bound
parameters, never as SQL text.

Access and privacy are applied here, to every query, so no page can forget them: `_run`
needs a signed-in viewer with a role (dashboards.auth), runs through
`warehouse.access.scoped_query` (small person counts hidden; a district role sees only its
district's rows of every table with a district), and every Scope is pinned to the viewer's
district before it is used.
"""

from __future__ import annotations

import gc
import json
from dataclasses import replace
from pathlib import Path

import pandas as pd
import streamlit as st

from dashboards.auth import AccessDenied, require_viewer
from warehouse import kpis, ledger
from warehouse.access import scoped_query
from warehouse.config import Home, home
from warehouse.duck import connect
from warehouse.export import latest_pack, pack_revision
from warehouse.kpis import VALUE_COLUMNS, Scope
from warehouse.published import has_table, published_version

# The server keeps every module imported by now for as long as it runs. Frozen, their objects
# are left out of the garbage collector's full passes, each of which otherwise added about
# 120 ms to whichever page call happened to set it off.
gc.freeze()


def version() -> str:
    """Which published file this is (folder, inode, mtime); part of every cache key."""
    where = home()
    return f"{where.root}:{published_version(where)}"


def is_published() -> bool:
    return home().published_db.exists()


@st.cache_data(show_spinner=False, max_entries=512)
def _cached(sql: str, params: tuple, published: str, district_code: str | None) -> pd.DataFrame:
    # `published` is only a cache key: a new publish or another home gives new results.
    # `district_code` is the viewer's: a district role's results are cached apart.
    return scoped_query(home(), sql, list(params), district_code)


def _run(sql: str, *params: object) -> pd.DataFrame:
    return _cached(sql, tuple(params), version(), require_viewer().district_code)


def restrict(scope: Scope) -> Scope:
    """The scope pinned to the viewer's district (a district role cannot look elsewhere)."""
    district_code = require_viewer().district_code
    if district_code is None or scope.district_code == district_code:
        return scope
    return replace(scope, district_code=district_code)


def _require_analyst() -> None:
    if not require_viewer().role.sees_quality:
        raise AccessDenied("the data-quality pages are for analysts")


# --- reference data ---------------------------------------------------------------------------


def build_info() -> dict:
    return _run("select build_id, built_at from xiaoge_build").iloc[0].to_dict()


def months() -> list[str]:
    """Months with KPI data, oldest first, as YYYY-MM."""
    return _run(
        "select distinct strftime(month_start, '%Y-%m') as month from fct_kpi_monthly order by month"
    )["month"].tolist()


def districts() -> pd.DataFrame:
    """Every district, 未知区县 (district_kind unknown: people no roster places) last."""
    return _run(
        "select district_code, district_name, district_name_pinyin, district_kind, "
        "population_2020_census from dim_district order by district_code"
    )


def groups() -> pd.DataFrame:
    return _run(
        "select group_code, group_name, group_name_en from dim_worker_group order by group_code"
    )


def platforms() -> pd.DataFrame:
    return _run(
        "select platform_code, platform_name, platform_name_en, group_code from dim_platform order by platform_code"
    )


def themes() -> pd.DataFrame:
    return _run("select theme, name_zh, name_en, page_order from dim_kpi_theme order by page_order")


def catalogue() -> pd.DataFrame:
    return _run("select * from dim_kpi order by theme_page_order, kpi_id")


def terms() -> pd.DataFrame:
    """The terms the KPI definitions name in 【】 (dim_kpi_term); none in a file published
    before the terms were."""
    if not relation_exists("dim_kpi_term"):
        return pd.DataFrame(
            columns=["term_id", "name_zh", "name_en", "definition_zh", "definition_en"]
        )
    return _run(
        "select term_id, name_zh, name_en, definition_zh, definition_en from dim_kpi_term order by term_id"
    )


# --- KPI values: read through warehouse.kpis, the one place the headline-row rule lives ----


def _rows(sql: str, params: list) -> pd.DataFrame:
    """warehouse.kpis' Run: the viewer's cached, access-scoped query."""
    return _run(sql, *params)


def headline(scope: Scope, theme: str | None = None) -> pd.DataFrame:
    """Each catalogue KPI (of a theme) this month, last month and a year ago, for the scope."""
    return kpis.headline(_rows, restrict(scope), theme)


def series(kpi_id: str, scope: Scope) -> pd.DataFrame:
    """One KPI over all months up to the scope's month, with each month's target (the
    trajectory) where the figure has one."""
    frame = kpis.series(_rows, kpi_id, restrict(scope))
    return frame[["month", *VALUE_COLUMNS, "target"]]


def theme_series(theme: str, scope: Scope) -> pd.DataFrame:
    """Every KPI of a theme over the months up to the scope's month (long format)."""
    frame = kpis.theme_series(_rows, theme, restrict(scope))
    return frame[["kpi_id", "month", "value", "value_suppressed"]]


def by_district(kpi_id: str, scope: Scope) -> pd.DataFrame:
    """One KPI for every district in the scope's month (group and platform filters applied).

    A district role gets its own district only (`districts()` lists no other).
    """
    frame = kpis.by_district(_rows, restrict(scope), kpi_id).drop(
        columns=["kpi_id", "district_name", "district_name_pinyin", "group_code", "platform_code"]
    )
    return frame.merge(districts(), on="district_code").sort_values("value", ascending=False)


def district_map_values(kpi_id: str, scope: Scope) -> pd.DataFrame:
    """One KPI for every district on the map (未知区县 has no place there), a district
    without a figure this month too: its value missing, drawn grey."""
    places = districts()
    places = places[places["district_kind"] != "unknown"]
    figures = by_district(kpi_id, scope)
    figures = figures.drop(columns=[c for c in places.columns if c != "district_code"])
    return places.merge(figures, on="district_code", how="left")


def breakdown(kpi_id: str, scope: Scope, by: str) -> pd.DataFrame:
    """One KPI in the scope's month broken down by `group_code` or `platform_code`."""
    frame = kpis.breakdown(_rows, restrict(scope), by.removesuffix("_code"), kpi_id)
    return frame[["code", *VALUE_COLUMNS]].sort_values("value", ascending=False)


# --- registries with places (streets, points) -------------------------------------------------


def relation_exists(name: str) -> bool:
    return has_table(_rows, name)


def stations(scope: Scope) -> pd.DataFrame:
    """Stations open at the end of the scope's month, with their street and location."""
    if not relation_exists("dim_station"):
        return pd.DataFrame()
    scope = restrict(scope)
    return _run(
        """
        select s.station_id, s.station_name, s.station_type_code, s.district_code, s.street_code,
               s.lon as longitude, s.lat as latitude, st.street_name, d.district_name, d.district_name_pinyin
        from dim_station as s
        left join dim_street as st on st.street_code = s.street_code
        left join dim_district as d on d.district_code = s.district_code
        where s.open_date <= last_day(?::date)
          and (s.close_date is null or s.close_date > last_day(?::date))
          and (?::varchar is null or s.district_code = ?::varchar)
        order by s.station_id
        """,
        f"{scope.month}-01",
        f"{scope.month}-01",
        scope.district_code,
        scope.district_code,
    )


def tenure_distribution(scope: Scope) -> pd.DataFrame:
    """Active workers of the scope's month by whole years on the job, from the person-free
    tenure mart (hidden small counts are null, with `workers_suppressed`)."""
    scope = restrict(scope)
    return _run(
        """
        select b.tenure_band_name as tenure_years, t.workers, t.workers_suppressed
        from fct_workforce_tenure_monthly as t
        join dim_tenure_band as b using (tenure_band)
        where strftime(t.month_start, '%Y-%m') = ?
          and t.area_level = case when ?::varchar is null then 'city' else 'district' end
          and (?::varchar is null or t.district_code = ?::varchar)
          and t.group_code = ?::varchar
        order by t.band_order
        """,
        scope.month,
        scope.district_code,
        scope.district_code,
        scope.district_code,
        scope.group_code or "delivery",
    )


def cohort_retention(scope: Scope) -> pd.DataFrame:
    """Share of each quarter's starters still active N months after their first month, from
    the person-free cohort mart: only points complete by the scope's month, hidden small
    counts null (their share too)."""
    scope = restrict(scope)
    return _run(
        """
        select strftime(cohort_start, '%Y') || 'Q' || quarter(cohort_start) as cohort,
               months_in, retention_rate as retention, starters, retained_workers,
               retention_rate_suppressed, starters_suppressed, retained_suppressed
        from fct_worker_cohorts_retained
        where group_code = ?::varchar
          and area_level = case when ?::varchar is null then 'city' else 'district' end
          and (?::varchar is null or district_code = ?::varchar)
          and strftime(last_month_start, '%Y-%m') <= ?
        order by cohort_start, months_in
        """,
        scope.group_code or "delivery",
        scope.district_code,
        scope.district_code,
        scope.district_code,
        scope.month,
    )


# --- operations: sources, quarantine, audit, exports -----------------------------------------


def operations_status() -> dict:
    from warehouse.status import status

    _require_analyst()
    return status(home())


def quarantine_reasons() -> pd.DataFrame:
    """Quarantined rows of the current deliveries per source table and reason, most first,
    as the ledger counted them at ingest (not cached: it changes with each ingest)."""
    _require_analyst()
    counted = ledger.quarantine_reasons(home())
    return scan_quarantine_reasons(home()) if counted is None else counted.to_pandas()


def scan_quarantine_reasons(where: Home) -> pd.DataFrame:
    """The same counts read from every current quarantine part: for a ledger with current
    deliveries recorded without their reasons."""
    root = where.raw / "_quarantine"
    if not any(root.rglob("*.parquet")):
        return pd.DataFrame(columns=["system", "table_name", "reason", "rows"])
    with connect() as con:
        return con.execute(
            """
            with reasons as (
                select split_part(_source_file, '/', 1) as system,
                       regexp_extract(filename, '_quarantine/[^/]+/([^/]+)/', 1) as table_name,
                       unnest(string_split(reason, ';')) as reason
                from read_parquet(?, filename = true, union_by_name = true)
            )
            select system, table_name, reason, count(*) as rows
            from reasons
            group by system, table_name, reason
            order by rows desc, system, table_name, reason
            """,
            [str(root / "**" / "*.parquet")],
        ).df()


def exports() -> pd.DataFrame:
    """Every exported pack: month, area, version, build id and its files.

    A district role sees its own district's packs only.
    """
    own = require_viewer().district_code
    root = home().exports
    records = []
    for manifest in sorted(root.glob("*/**/v*/manifest.json")) if root.exists() else []:
        data = json.loads(manifest.read_text(encoding="utf-8"))
        if own is not None and data.get("district_code") != own:
            continue
        records.append(
            {
                "month": data["month"],
                "district_code": data.get("district_code"),
                "version": data["version"],
                "build_id": data["build_id"],
                "folder": str(manifest.parent),
            }
        )
    return pd.DataFrame(
        records, columns=["month", "district_code", "version", "build_id", "folder"]
    )


def revised_figures(scope: Scope) -> list[dict]:
    """The figures of the scope's area that the latest pack of its month corrected (the
    city's pack, or the district's), each with old and new value and the corrected files."""
    scope = restrict(scope)
    folder = latest_pack(home(), scope.month, scope.district_code)
    if folder is None:
        return []
    return [
        change
        for change in _pack_changes(str(folder))
        if change.get("district_code") == scope.district_code
    ]


@st.cache_data(show_spinner=False, max_entries=64)
def _pack_changes(folder: str) -> list[dict]:
    # keyed on the pack's folder: a pack never changes, a new version is a new folder
    revision = pack_revision(Path(folder))
    version = int(Path(folder).name.removeprefix("v"))
    return [{**change, "version": version} for change in revision["changes"]] if revision else []
