"""The catalogue's definitions, read by an outsider, give the published numbers.

Each KPI is recomputed in plain SQL by tests/kpi_recompute_support.py, straight from the raw
zone's Parquet files and the seeds, following only the catalogue's wording; none of it comes
from the dbt models. The recomputed rows must be the rows of `fct_kpi_monthly` in the build
database behind the served file (the true figures, before disclosure control hides small
ones): the same rows (city, the districts compared, groups, platforms) with the same value,
numerator and denominator. A difference is a rule the definition does not state, or a model
that does not do what its definition says.
"""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd
import pytest

from tests.kpi_recompute_support import (
    DISTRICTS,
    KEY,
    MONTHS,
    RECOMPUTED,
    ROW,
    UNKNOWN,
    WITH_UNKNOWN,
    recompute,
)
from warehouse.config import Home
from warehouse.duck import connect
from warehouse.served import served_build_database


def published(build_db: Path) -> pd.DataFrame:
    """The same KPIs' rows of fct_kpi_monthly in the build database (no suppression)."""
    with connect(build_db, read_only=True) as con:
        return con.execute(
            f"""
            select kpi_id, strftime(month_start, '%Y-%m') as month, {ROW}
            from fct_kpi_monthly
            where kpi_id in ({", ".join("?" for _ in RECOMPUTED)})
              and strftime(month_start, '%Y-%m') in ({", ".join("?" for _ in MONTHS)})
            """,
            [*RECOMPUTED, *MONTHS],
        ).df()


def compared_areas(frame: pd.DataFrame, kpi_id: str) -> pd.DataFrame:
    districts = [*DISTRICTS, UNKNOWN] if kpi_id in WITH_UNKNOWN else list(DISTRICTS)
    keep = (frame["area_level"] == "city") | frame["district_code"].isin(districts)
    return frame[keep & (frame["kpi_id"] == kpi_id)]


def differences(expected: pd.DataFrame, actual: pd.DataFrame, columns: list[str]) -> list[str]:
    """Every row missing on either side, and every value of `columns` that, rounded to 6
    decimals as stored, differs by more than 1e-9 relative, one line each: month/area/district/group/platform: what differs."""
    keys = ["month", *KEY]
    left = expected.astype({c: "object" for c in KEY}).fillna({c: "-" for c in KEY})
    right = actual.astype({c: "object" for c in KEY}).fillna({c: "-" for c in KEY})
    merged = left.merge(right, on=keys, how="outer", suffixes=("_def", "_pub"), indicator="side")
    found = []
    for row in merged.sort_values(keys).itertuples(index=False):
        where = "/".join(str(getattr(row, k)) for k in keys)
        if row.side != "both":
            side = "only from the definition" if row.side == "left_only" else "only published"
            found.append(f"{where}: row {side}")
            continue
        for column in columns:
            want, got = getattr(row, f"{column}_def"), getattr(row, f"{column}_pub")
            if pd.isna(want) and pd.isna(got):
                continue
            if pd.isna(want) or pd.isna(got):
                found.append(f"{where}: {column} by the definition {want!r}, published {got!r}")
                continue
            # docs/kpis.md: every stored figure is rounded to 6 decimal places
            if not math.isclose(round(want, 6), got, rel_tol=1e-9, abs_tol=1e-12):
                found.append(f"{where}: {column} by the definition {want!r}, published {got!r}")
    return found


def compare(recomputed: pd.DataFrame, product: pd.DataFrame, kpi_id: str, columns: list[str]):
    expected = compared_areas(recomputed, kpi_id).drop(columns="kpi_id")
    actual = compared_areas(product, kpi_id).drop(columns="kpi_id")
    assert len(expected) > 0, f"{kpi_id}: nothing recomputed from the raw zone"
    found = differences(expected, actual, columns)
    assert not found, f"{kpi_id}: {len(found)} differences\n" + "\n".join(found[:40])


@pytest.fixture(scope="module")
def build_db(demo_home: Path) -> Path:
    database = served_build_database(Home(demo_home))
    assert database is not None, "the demo home has no kept build database"
    return database


@pytest.fixture(scope="module")
def recomputed(demo_home: Path) -> pd.DataFrame:
    return recompute(demo_home)


@pytest.fixture(scope="module")
def product(build_db: Path) -> pd.DataFrame:
    return published(build_db)


@pytest.mark.parametrize("kpi_id", list(RECOMPUTED))
def test_definition_gives_the_published_rows_numerators_and_denominators(
    kpi_id: str, recomputed: pd.DataFrame, product: pd.DataFrame
) -> None:
    """The same rows (city, districts, groups, platforms) counting the same people or places."""
    compare(recomputed, product, kpi_id, ["numerator", "denominator"])


@pytest.mark.parametrize("kpi_id", list(RECOMPUTED))
def test_definition_gives_the_published_values(
    kpi_id: str, recomputed: pd.DataFrame, product: pd.DataFrame
) -> None:
    compare(recomputed, product, kpi_id, ["kpi_value"])


def test_income_uplift_is_a_city_row_only(product: pd.DataFrame) -> None:
    uplift = product[product["kpi_id"] == "xiaogema_income_uplift_yuan"]
    assert len(uplift) > 0
    assert set(uplift["area_level"]) == {"city"}


def test_workforce_district_rows_add_up_to_the_city(product: pd.DataFrame) -> None:
    """未知区县 included, every district's rows sum to the city's, for all groups and each."""
    workforce = product[product["kpi_id"] == "workforce_active"]
    workforce = workforce[workforce["platform_code"].isna()].fillna({"group_code": "-"})
    city = workforce[workforce["area_level"] == "city"].set_index(["month", "group_code"])
    districts = (
        workforce[workforce["area_level"] == "district"]
        .groupby(["month", "group_code"])["kpi_value"]
        .sum()
    )
    assert districts.to_dict() == city["kpi_value"].to_dict()
    assert len(city) == len(MONTHS) * 4  # all groups and each of the three
