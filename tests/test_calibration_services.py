"""The non-person systems (service network, services, organisation activity) end to end.

Every figure the article gives for them is read back through `xiaoge kpi --json` on the
session's demo home; the generator's files are deterministic and every defect it injects is
found in quarantine with its reason.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from tests.conftest import kpi_json
from warehouse.generate import organisation, service_network, services
from warehouse.generate.defects import REASON_MARKERS, DefectLog, read_manifest
from warehouse.generate.places import Places

SYSTEMS = ("service_network", "services", "organisation")
RATES = (
    "station_15min_coverage_rate",
    "party_org_coverage_rate",
    "party_member_share",
    "mobile_member_registration_rate",
    "demand_closure_rate",
)


@pytest.fixture(scope="module")
def june(demo_home: Path) -> dict:
    return kpi_json(demo_home, "--month", "2025-06")["kpis"]


@pytest.fixture(scope="module")
def january_2023(demo_home: Path) -> dict:
    return kpi_json(demo_home, "--month", "2023-01")["kpis"]


def city_series(home: Path, kpi_id: str) -> pd.Series:
    with duckdb.connect(str(home / "published" / "xiaoge.duckdb"), read_only=True) as con:
        frame = con.execute(
            "select month_start, kpi_value from fct_kpi_monthly "
            "where kpi_id = ? and area_level = 'city' order by month_start",
            [kpi_id],
        ).df()
    return frame.set_index("month_start")["kpi_value"]


def test_registries_show_the_article_figures(june: dict, january_2023: dict):
    assert june["stations_active"]["value"] == 3025
    assert june["friendly_scenes"]["value"] == 2537
    assert june["canteens"]["value"] == 770
    assert january_2023["party_orgs"]["value"] == 13
    assert june["party_orgs"]["value"] == 50


def test_training_person_times_reach_eleven_thousand(demo_home: Path, june: dict):
    assert 11_000 <= june["training_person_times_cum"]["value"] <= 12_000
    may = kpi_json(demo_home, "--month", "2025-05")["kpis"]
    monthly = june["training_person_times"]["value"]
    assert monthly > 0
    assert (
        june["training_person_times_cum"]["value"] - may["training_person_times_cum"]["value"]
        == monthly
    )
    # 小哥学院 and 三新学堂 make training accelerate: the last year trains more than the first
    series = city_series(demo_home, "training_person_times")
    assert series.iloc[-12:].sum() > 2 * series.iloc[:12].sum()


def test_seventy_odd_volunteer_teams_with_the_named_ones(demo_home: Path, june: dict):
    assert 70 <= june["volunteer_teams"]["value"] <= 79
    assert june["volunteer_deeds"]["value"] > 0
    with duckdb.connect() as con:
        teams = con.execute(
            "select team_name, district_code from read_parquet(?) where dissolved_date is null",
            [str(demo_home / "raw/organisation/volunteer_teams/month=2025-06/*.parquet")],
        ).fetchall()
    assert any("平安骑手" in name and district == "330109" for name, district in teams)  # 萧山
    assert any("长河e警" in name and district == "330108" for name, district in teams)  # 滨江


def test_rates_are_shares_of_their_numerator_and_denominator(june: dict):
    for kpi_id in RATES:
        item = june[kpi_id]
        assert 0 <= item["value"] <= 1, kpi_id
        assert item["denominator"] > 0, kpi_id
        # KPI values are published to six decimals
        assert item["value"] == pytest.approx(item["numerator"] / item["denominator"], abs=1e-6), (
            kpi_id
        )
    assert june["party_org_coverage_rate"]["denominator"] == 3025  # every open station
    assert june["station_15min_coverage_rate"]["denominator"] == 2537  # every friendly scene


def test_service_and_governance_levels_are_plausible(june: dict, january_2023: dict):
    assert 0.8 <= june["station_15min_coverage_rate"]["value"] <= 0.97
    assert (
        june["station_15min_coverage_rate"]["value"]
        > january_2023["station_15min_coverage_rate"]["value"]
    )
    assert (
        january_2023["party_org_coverage_rate"]["value"]
        < 0.4
        < 0.8
        < june["party_org_coverage_rate"]["value"]
    )
    assert 0.02 <= june["party_member_share"]["value"] <= 0.06
    assert (
        june["mobile_member_registration_rate"]["value"]
        > january_2023["mobile_member_registration_rate"]["value"]
    )
    assert 10 <= june["station_visits_per_day"]["value"] <= 50
    assert june["canteen_meals"]["value"] > 100_000
    assert january_2023["canteens"]["value"] == 0  # the canteens opened to riders from late 2023
    assert 0.5 <= june["demand_closure_rate"]["value"] <= 0.95
    assert 1 <= june["demand_median_days_to_close"]["value"] <= 10
    assert june["roundtable_meetings"]["value"] > 0
    assert june["legal_aid_cases_closed"]["value"] > 0
    assert june["legal_points"]["value"] > 100


def test_registries_grow_unevenly_as_the_article_tells(demo_home: Path):
    for kpi_id, first_at_most in (("stations_active", 1600), ("friendly_scenes", 700)):
        series = city_series(demo_home, kpi_id)
        steps = series.diff().dropna()
        assert series.iloc[0] <= first_at_most, kpi_id
        assert (steps >= 0).all(), kpi_id
        assert steps.std() > 0.3 * steps.mean(), f"{kpi_id} grows in a straight line"
    canteens = city_series(demo_home, "canteens")
    opened_2024 = canteens[pd.Timestamp("2024-12-01")] - canteens[pd.Timestamp("2023-12-01")]
    assert opened_2024 > 0.7 * 770, "most canteens open to riders during 2024"


def test_districts_differ_and_add_up(demo_home: Path):
    with duckdb.connect(str(demo_home / "published" / "xiaoge.duckdb"), read_only=True) as con:
        rows = dict(
            con.execute(
                "select district_code, kpi_value from fct_kpi_monthly where kpi_id = 'stations_active' "
                "and area_level = 'district' and month_start = date '2025-06-01'"
            ).fetchall()
        )
    assert len(rows) == 13
    assert sum(rows.values()) == 3025
    assert rows["330102"] > 3 * rows["330127"], "the urban core has far more stations than 淳安"


def _write_all(out: Path) -> DefectLog:
    places = Places.load()
    log = DefectLog()
    args = (out, places, "2023-01", "2025-06", 20250801)
    organisation.write_activity(*args, log=log)
    service_network.write(*args, scale="small", log=log)
    services.write(*args, log=log)
    return log


def _digests(root: Path) -> dict[str, str]:
    return {
        path.relative_to(root).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(root.rglob("*.csv"))
    }


def test_same_seed_gives_the_same_bytes(tmp_path: Path):
    first_log = _write_all(tmp_path / "a")
    second_log = _write_all(tmp_path / "b")
    first = _digests(tmp_path / "a")
    assert len(first) > 300
    assert first == _digests(tmp_path / "b")
    assert first_log.defects == second_log.defects
    # government systems deliver GBK
    sample = (tmp_path / "a" / "service_network" / "2025-06" / "stations.csv").read_bytes()
    assert "驿站编码".encode("gbk") in sample


def test_injected_defects_are_quarantined_with_their_reason(demo_home: Path):
    defects = [d for d in read_manifest(demo_home / "landing") if d.file.split("/")[0] in SYSTEMS]
    kinds = {d.kind for d in defects}
    assert {"duplicate", "unknown_code", "negative_count", "date_outside_month"} <= kinds
    quarantine = demo_home / "raw" / "_quarantine"
    with duckdb.connect() as con:
        for defect in defects:
            system, month, name = defect.file.split("/")
            table, stem = name.split(".")[0].split("__")[0], name.rsplit(".", 1)[0]
            part = quarantine / system / table / f"month={month}" / f"{stem}.parquet"
            assert part.exists(), defect
            reasons = con.execute(
                "select reason from read_parquet(?) where source_row = ?", [str(part), defect.row]
            ).fetchall()
            assert reasons, defect
            assert REASON_MARKERS[defect.kind] in reasons[0][0], (defect, reasons)


def test_rows_read_are_accepted_plus_quarantined(demo_home: Path):
    with duckdb.connect() as con:
        ledger = con.execute(
            "select file_path, rows_read, rows_accepted, rows_quarantined from read_parquet(?) "
            "where status = 'loaded'",
            [str(demo_home / "raw" / "_ledger.parquet")],
        ).df()
    mine = ledger[ledger["file_path"].str.split("/").str[0].isin(SYSTEMS)]
    assert len(mine) > 400
    assert (mine["rows_read"] == mine["rows_accepted"] + mine["rows_quarantined"]).all()
    assert mine["rows_quarantined"].sum() > 0
    # the registries' defects are duplicates only, so their month-end counts stay exact
    stations = mine[mine["file_path"].str.endswith("/stations.csv")]
    assert stations["rows_quarantined"].sum() > 0


def test_station_history_answers_a_past_month(demo_home: Path):
    """ "How many stations were open at the end of March 2024" from the SCD2 history mart."""
    with duckdb.connect(str(demo_home / "published" / "xiaoge.duckdb"), read_only=True) as con:
        from_history = con.execute(
            "select count(*) from dim_station_history "
            "where valid_from_month <= date '2024-03-01' "
            "and (valid_to_month > date '2024-03-01' or valid_to_month is null) "
            "and open_date <= date '2024-03-31' "
            "and (close_date is null or close_date > date '2024-03-31')"
        ).fetchall()[0][0]
        current = con.execute("select count(*) from dim_station where is_open").fetchall()[0][0]
    assert (
        from_history
        == kpi_json(demo_home, "--month", "2024-03")["kpis"]["stations_active"]["value"]
    )
    assert from_history < current
