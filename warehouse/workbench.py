"""For analysts in Jupyter: the published warehouse, read-only, and KPIs by id.

from warehouse.workbench import sql, kpi, catalogue, report_month, person_sql
report_month()                                 # the latest published month, "2025-06"
month_figures("2025-06", district="330106")    # every KPI that month, as `xiaoge kpi` shows
kpi("tenure_over_1y_share")                    # city-wide, every month
kpi("party_orgs", district="330109")           # one district
sql("select * from dim_station where district_code = ?", ["330108"])
person_sql("select count(*) from int_worker_months_aggregated")  # analyst role only

`sql` and `kpi` read the served file: public marts, person counts protected. `person_sql`
reads the build database behind it (person-level intermediate tables, unprotected) and
only for the analyst role: the user named by `XIAOGE_USER` in the access file, or in local
demo mode (no access file) the role in `XIAOGE_DEMO_ROLE`. Every such query is logged.
"""

from __future__ import annotations

import os

import pandas as pd

from warehouse.access import Viewer, access_file, local_viewer, log_access, viewer_for
from warehouse.config import home
from warehouse.duck import connect
from warehouse.errors import UserError
from warehouse.kpis import SCOPED_ROWS, Scope, reader, scoped_rows_params, series
from warehouse.published import published_month, query
from warehouse.served import served_build_database


def sql(statement: str, params: list | None = None) -> pd.DataFrame:
    """Any read-only query against the published warehouse, with bound parameters."""
    return query(home(), statement, params)


def report_month(month: str | None = None) -> str:
    """The month asked for if it is published (None: the latest), else a one-line refusal."""
    return published_month(home(), month)


def catalogue() -> pd.DataFrame:
    """Every KPI: id, names, definition, unit, kind, theme, source model."""
    return sql("select * from dim_kpi order by theme, kpi_id")


def kpi(
    kpi_id: str,
    district: str | None = None,
    group: str | None = None,
    platform: str | None = None,
) -> pd.DataFrame:
    """One KPI by month for an area (city-wide by default), group and platform: the figure the
    dashboards' cards and `xiaoge kpi` show for the same filters, one row per month."""
    if kpi_id not in set(catalogue()["kpi_id"]):
        raise UserError(f"目录中没有指标 {kpi_id}:用 catalogue() 查看全部指标")
    scope = Scope(published_month(home(), None), district, group, platform)
    figures = series(reader(home()), kpi_id, scope)
    month_start = pd.to_datetime(figures.pop("month"), format="%Y-%m")
    return figures.assign(month_start=month_start)[["month_start", *figures.columns]]


def month_figures(
    month: str | None = None, district: str | None = None, group: str | None = None
) -> pd.DataFrame:
    """Every KPI reported in a month for an area (city-wide by default) and group, one row per
    KPI: the figures `xiaoge kpi` and the dashboards' cards show for the same filters."""
    scope = Scope(report_month(month), district, group)
    return reader(home())(
        f"""
        with rows as ({SCOPED_ROWS})
        select c.kpi_id, c.name_zh, c.value_kind, c.unit, k.kpi_value as value, k.numerator,
               k.denominator, k.value_suppressed, k.numerator_suppressed,
               k.denominator_suppressed, k.group_code
        from dim_kpi as c
        join rows as k on k.kpi_id = c.kpi_id and strftime(k.month_start, '%Y-%m') = ?
        order by c.kpi_id
        """,
        [*scoped_rows_params(scope), scope.month],
    )


def _analyst() -> Viewer:
    """The analyst running this notebook, or a one-line refusal."""
    user = os.environ.get("XIAOGE_USER", "").strip()
    if user:
        viewer = viewer_for(user, home())
    elif not access_file(home()).exists():
        viewer = local_viewer()
    else:
        raise UserError("个人层面数据仅供分析员:请设置 XIAOGE_USER=<权限文件中分析员的邮箱>")
    if viewer.role.kind != "analyst":
        raise UserError(f"{viewer.user} 的角色是 {viewer.role},个人层面数据仅供分析员角色")
    return viewer


def person_sql(statement: str, params: list | None = None) -> pd.DataFrame:
    """A read-only query on the build database (person-level tables), for analysts only."""
    viewer = _analyst()
    database = served_build_database(home())
    if database is None:
        raise UserError("已发布版本的构建库已不在:先运行 xiaoge build")
    log_access(home(), viewer, "person_sql", statement.strip()[:200], {})
    with connect(database, read_only=True) as con:
        return con.execute(statement, params or []).df()
