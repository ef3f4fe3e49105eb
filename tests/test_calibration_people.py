"""The worker population's figures at 2025-06 on the demo data, read through `xiaoge kpi --json`."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from tests.conftest import kpi_json


@pytest.fixture(scope="module")
def kpis(demo_home: Path) -> dict:
    return kpi_json(demo_home, "--month", "2025-06")["kpis"]


def test_tenure_over_one_year_is_twenty_percent_of_delivery_riders(kpis: dict) -> None:
    tenure = kpis["tenure_over_1y_share"]
    assert tenure["group"] == "delivery"
    assert 0.19 <= tenure["value"] <= 0.21
    assert tenure["denominator"] > 1000


def test_riders_barely_insured_while_station_managers_are(kpis: dict) -> None:
    assert kpis["insurance_rate_pension"]["group"] == "delivery"
    assert 0.05 < kpis["insurance_rate_pension"]["value"] < 0.25
    assert kpis["insurance_rate_pension_managers"]["value"] > 0.80
    assert kpis["insurance_rate_pension_managers"]["denominator"] >= 20
    assert 0.1 < kpis["insurance_rate_medical"]["value"] < 0.5
    assert kpis["insurance_rate_work_injury"]["value"] < 0.2
    assert kpis["insurance_rate_occupational_injury"]["value"] > 0.7


def test_xiaogema_figures(kpis: dict) -> None:
    assert kpis["xiaogema_platforms"]["value"] == 6
    assert 4.0 <= kpis["xiaogema_minutes_saved_per_order"]["value"] <= 5.0
    assert 450 <= kpis["xiaogema_income_uplift_yuan"]["value"] <= 550
    assert 0.6 <= kpis["xiaogema_registration_rate"]["value"] <= 0.8


def test_xiaogema_launched_2024_07(demo_home: Path) -> None:
    before = kpi_json(demo_home, "--month", "2024-06")["kpis"]
    at_launch = kpi_json(demo_home, "--month", "2024-07")["kpis"]
    assert before["xiaogema_platforms"]["value"] == 0
    assert "xiaogema_minutes_saved_per_order" not in before
    assert 1 <= at_launch["xiaogema_platforms"]["value"] < 6


def test_workforce_counts_people_once_and_churn_is_heavy(kpis: dict) -> None:
    assert 1500 < kpis["workforce_active"]["value"] < 4000
    assert 0.08 < kpis["monthly_churn_rate"]["value"] < 0.25


def test_workforce_district_rows_add_up_to_the_city(demo_home: Path) -> None:
    from warehouse.config import Home
    from warehouse.served import served_build_database

    # the true figures: the served file hides small district cells (未知区县's among them)
    with duckdb.connect(str(served_build_database(Home(demo_home))), read_only=True) as con:
        totals = dict(
            con.execute(
                """
                select area_level, sum(kpi_value) as total
                from fct_kpi_monthly
                where kpi_id = 'workforce_active' and month_start = date '2025-06-01'
                  and group_code is null and platform_code is null
                group by area_level
                """
            ).fetchall()
        )
        rates = con.execute(
            """
            select kpi_value from fct_kpi_monthly
            where kpi_id = 'insurance_rate_pension' and month_start = date '2025-06-01'
              and area_level = 'district' and group_code = 'delivery'
              and district_code <> 'unknown'
            """
        ).fetchall()
    assert totals["district"] == totals["city"]
    assert len({value for (value,) in rates}) > 5  # districts differ


def test_trends_move_month_to_month(demo_home: Path) -> None:
    from warehouse.config import Home
    from warehouse.published import query

    frame = query(
        Home(demo_home),
        """
        select month_start, kpi_value from fct_kpi_monthly
        where kpi_id = 'workforce_active' and area_level = 'city'
          and group_code is null and platform_code is null
        order by month_start
        """,
    )
    steps = frame["kpi_value"].diff().dropna()
    assert len(frame) == 30
    assert (steps > 0).any() and (steps < 0).any()  # not a straight line
    assert steps.nunique() > 10
