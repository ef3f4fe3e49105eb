"""The 三色 status on the demo: targets as code (seeds/kpi_targets.csv), the rule in the dbt
mart fct_kpi_status (its unit tests run in every build), district figures judged against
district targets only, and no status where disclosure control hides the figure."""

from __future__ import annotations

import json
import math
from collections import Counter
from pathlib import Path

import duckdb
import pytest

from tests.conftest import kpi_json, run_cli
from warehouse.config import Home
from warehouse.served import served_build_database

MONTH = "2025-06"
XIHU = "330106"
BINJIANG = "330108"
STATUS_UNIT_TESTS = {
    "test_kpi_status_boundaries_where_up_is_better",
    "test_kpi_status_wrong_way_and_where_down_is_better",
    "test_kpi_status_areas_headline_rows_and_rounding",
    "test_kpi_status_whole_count_targets_and_visible_moves",
}


@pytest.fixture(scope="module")
def city(demo_home: Path) -> dict:
    return kpi_json(demo_home, "--month", MONTH)["kpis"]


def test_the_status_rule_unit_tests_ran_in_the_build_and_passed(demo_home: Path):
    """The boundaries of each colour (exactly on target, just behind, exactly at the
    tolerance, just beyond, a wrong-way move, both directions, float noise) are dbt unit
    tests on fct_kpi_status; the build that was published ran them."""
    build_dir = served_build_database(Home(demo_home)).parent
    results = json.loads((build_dir / "target" / "run_results.json").read_text("utf-8"))
    ran = {
        r["unique_id"].rsplit(".", 1)[-1]: r["status"]
        for r in results["results"]
        if r["unique_id"].startswith("unit_test.xiaoge.fct_kpi_status.")
    }
    assert ran == dict.fromkeys(STATUS_UNIT_TESTS, "pass")


def test_kpi_json_gives_each_city_figure_its_status(city: dict):
    stations = city["stations_active"]
    assert stations["value"] == 3025
    # from 2,890 in 2025-01 to 3,025 in 2025-12: five elevenths of the way in June, 2,951.4,
    # a whole 2,952 stations (a count's target is rounded up where more is better)
    assert stations["target"] == math.ceil(2890 + 135 * 5 / 11) == 2952
    assert (stations["goal"], stations["goal_month"]) == (3025, "2025-12")
    assert (stations["status"], stations["status_name_zh"]) == ("green", "绿色")
    assert stations["status_suppressed"] is False
    # behind by more than 10% of the target (16.0% against 19.5%)
    assert city["insurance_rate_pension"]["status"] == "red"
    # behind within 5% of the target, and more stations than last month
    assert city["legal_points"]["status"] == "yellow"
    # behind within the tolerance, and down on last month by less than the published change
    # shows (4.4336 to 4.4331 minutes reads 持平): no wrong-way move, so yellow, not red
    minutes = city["xiaogema_minutes_saved_per_order"]
    assert minutes["value"] < minutes["target"] and minutes["status"] == "yellow"
    # no target: no status
    assert city["canteen_meals"]["target"] is None
    assert city["canteen_meals"]["status"] is None
    assert Counter(k["status"] for k in city.values() if k["status"]) == {
        "green": 14,
        "yellow": 4,
        "red": 1,
    }
    for kpi in city.values():
        assert set(kpi) >= {"target", "goal", "goal_month", "status", "status_name_zh"}
        assert set(kpi) >= {"status_suppressed", "sources", "sources_zh", "data_as_of"}
        assert set(kpi) >= {"audit_zh"}


def test_district_figures_are_judged_against_district_targets_only(demo_home: Path, city):
    xihu = kpi_json(demo_home, "--month", MONTH, "--district", XIHU)["kpis"]
    # the city has a target for party organisations; 西湖区 has none of its own
    assert city["party_orgs"]["status"] == "green"
    assert xihu["party_orgs"]["value"] is not None
    assert xihu["party_orgs"]["target"] is None and xihu["party_orgs"]["status"] is None
    # its own station target: from 342 in 2025-01 to 360 by 2025-12, 350.2 in June: 351
    stations = xihu["stations_active"]
    assert stations["value"] == 357 and stations["goal"] == 360
    assert stations["target"] == math.ceil(342 + 18 * 5 / 11) == 351
    assert stations["status"] == "green"
    judged = {kpi_id for kpi_id, kpi in xihu.items() if kpi["target"] is not None}
    assert judged == {
        "stations_active",
        "canteens",
        "friendly_scenes",
        "insurance_rate_occupational_injury",
    }


def district_with_a_hidden_figure(home: Path, kpi_id: str) -> str:
    """A district whose figure of that KPI the disclosure gate hides in MONTH (which ones
    depends on the demo's numbers), where the KPI has a district target."""
    with duckdb.connect(str(home / "published" / "xiaoge.duckdb"), read_only=True) as con:
        found = con.execute(
            """
            select s.district_code
            from fct_kpi_status as s join fct_kpi_monthly as k using (kpi_row_id)
            where s.kpi_id = ? and s.area_level = 'district' and k.value_suppressed
                and strftime(s.month_start, '%Y-%m') = ? and s.target_value is not null
            order by 1 limit 1
            """,
            [kpi_id, MONTH],
        ).fetchone()
    assert found, f"the demo hides no district's {kpi_id} in {MONTH}"
    return found[0]


def test_a_hidden_district_figure_has_no_status(demo_home: Path):
    district = district_with_a_hidden_figure(demo_home, "insurance_rate_occupational_injury")
    figures = kpi_json(demo_home, "--month", MONTH, "--district", district)["kpis"]
    hidden = figures["insurance_rate_occupational_injury"]
    assert hidden["value"] is None and hidden["suppressed"] is True
    assert hidden["target"] is not None  # a target says nothing about the figure
    assert hidden["status"] is None and hidden["status_name_zh"] is None
    assert hidden["status_suppressed"] is True
    # and across the served file: no status beside a hidden figure, this month or last
    with duckdb.connect(str(demo_home / "published" / "xiaoge.duckdb"), read_only=True) as con:
        leaks, withheld = con.execute(
            """
            select count(*) filter (where s.status is not null
                                    and (now.value_suppressed or coalesce(last.value_suppressed, false))),
                   count(*) filter (where s.status_suppressed)
            from fct_kpi_status as s
            join fct_kpi_monthly as now on now.kpi_row_id = s.kpi_row_id
            left join fct_kpi_monthly as last on last.kpi_row_id = s.previous_kpi_row_id
            """
        ).fetchone()
    assert leaks == 0
    assert withheld > 0


def test_the_plain_table_names_each_status(demo_home: Path):
    result = run_cli(demo_home, "kpi", "--month", MONTH, "--district", BINJIANG)

    def row(name: str) -> str:
        (line,) = [line for line in result.stdout.splitlines() if f"│ {name}" in line]
        return line.rstrip("│ ")

    assert row("社区食堂数").endswith("绿色")
    assert row("党组织数").endswith("—")  # 滨江区 has no target of its own
    district = district_with_a_hidden_figure(demo_home, "insurance_rate_occupational_injury")
    result = run_cli(demo_home, "kpi", "--month", MONTH, "--district", district)
    assert row("职业伤害保障").endswith("不予显示")  # its figure is hidden
