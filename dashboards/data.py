"""The dashboards' only access to data: read-only, parameterised, cached per published version.

Every query opens the published file read-only and closes it again, so a new publish is
seen on the next query without a restart. Cache keys include the file's identity (inode and
mtime), which changes on every publish.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from warehouse.config import home
from warehouse.errors import UserError
from warehouse.published import published_version, query


def version() -> str:
    """Which published file this is (folder, inode, mtime); part of every cache key."""
    where = home()
    return f"{where.root}:{published_version(where)}"


def is_published() -> bool:
    return home().published_db.exists()


@st.cache_data(show_spinner=False, max_entries=256)
def _cached(sql: str, params: tuple, published: str) -> pd.DataFrame:
    # `published` is only a cache key: a new publish or another home gives new results.
    return query(home(), sql, list(params))


def _run(sql: str, *params: object) -> pd.DataFrame:
    return _cached(sql, tuple(params), version())


def build_info() -> dict:
    frame = _run("select build_id, built_at from xiaoge_build")
    return frame.iloc[0].to_dict()


def months() -> list[str]:
    """Months with KPI data, oldest first, as YYYY-MM."""
    frame = _run(
        "select distinct strftime(month_start, '%Y-%m') as month from fct_kpi_monthly order by month"
    )
    return frame["month"].tolist()


def districts() -> pd.DataFrame:
    return _run(
        "select district_code, district_name, district_name_pinyin from dim_district order by district_code"
    )


def catalogue() -> pd.DataFrame:
    return _run("select * from kpi_catalogue order by theme, kpi_id")


def kpi_series(kpi_id: str, district_code: str | None = None) -> pd.DataFrame:
    """One KPI's headline value per month, city-wide or for one district."""
    return _run(
        """
        select strftime(month_start, '%Y-%m') as month, kpi_value as value, numerator, denominator
        from fct_kpi_monthly
        where kpi_id = ?
          and platform_code is null
          and area_level = case when ?::varchar is null then 'city' else 'district' end
          and (?::varchar is null or district_code = ?::varchar)
        order by month_start
        """,
        kpi_id,
        district_code,
        district_code,
        district_code,
    )


def kpi_by_district(kpi_id: str, month: str) -> pd.DataFrame:
    """One KPI for every district in a month."""
    return _run(
        """
        select k.district_code, d.district_name, d.district_name_pinyin, k.kpi_value as value
        from fct_kpi_monthly as k
        join dim_district as d using (district_code)
        where k.kpi_id = ? and k.area_level = 'district' and k.platform_code is null
          and strftime(k.month_start, '%Y-%m') = ?
        order by k.kpi_value desc, k.district_code
        """,
        kpi_id,
        month,
    )


__all__ = ["UserError"]
