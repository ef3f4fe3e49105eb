"""For analysts in Jupyter: the published warehouse, read-only, and KPIs by id.

from warehouse.workbench import sql, kpi, catalogue
kpi("tenure_over_1y_share")                    # city-wide, every month
kpi("party_orgs", district="330109")           # one district
sql("select * from dim_station where district_code = ?", ["330108"])
"""

from __future__ import annotations

import pandas as pd

from warehouse.config import home
from warehouse.errors import UserError
from warehouse.published import query


def sql(statement: str, params: list | None = None) -> pd.DataFrame:
    """Any read-only query against the published warehouse, with bound parameters."""
    return query(home(), statement, params)


def catalogue() -> pd.DataFrame:
    """Every KPI: id, names, definition, unit, kind, theme, source model."""
    return sql("select * from kpi_catalogue order by theme, kpi_id")


def kpi(
    kpi_id: str,
    district: str | None = None,
    group: str | None = None,
    platform: str | None = None,
) -> pd.DataFrame:
    """One KPI by month for an area (city-wide by default), group and platform."""
    if kpi_id not in set(catalogue()["kpi_id"]):
        raise UserError(f"目录中没有指标 {kpi_id}:用 catalogue() 查看全部指标")
    return sql(
        """
        select month_start, kpi_value as value, numerator, denominator, group_code, platform_code
        from fct_kpi_monthly
        where kpi_id = ?
          and area_level = case when ?::varchar is null then 'city' else 'district' end
          and (?::varchar is null or district_code = ?::varchar)
          and (group_code is not distinct from ?::varchar or (?::varchar is null and group_code is not null
               and not exists (select 1 from fct_kpi_monthly as k2 where k2.kpi_id = ? and k2.group_code is null)))
          and platform_code is not distinct from ?::varchar
        order by month_start, group_code
        """,
        [kpi_id, district, district, district, group, group, kpi_id, platform],
    )
