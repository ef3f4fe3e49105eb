"""Every KPI figure's provenance (warehouse/provenance.py): the source systems the dbt graph
says feed it, each with the latest month its landing files reach, the audit's result for the
KPI as published, and the build id, in words a leader reads."""

from __future__ import annotations

import json
import re
import shutil
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pytest

from warehouse.audit import run_audit
from warehouse.build import BuildResult
from warehouse.config import Home
from warehouse.contracts import systems
from warehouse.kpis import reader
from warehouse.present.format import month_zh
from warehouse.provenance import AUDIT_PASSED, AUDIT_TABLE, provenance, write_audit_findings
from warehouse.publish import publish

LONG_FLOAT = re.compile(r"\d+\.\d{5,}")
LATIN = re.compile(r"[A-Za-z_]")
MONTH_FOLDER = re.compile(r"\d{4}-\d{2}")
STATIONS_DISTRICT = "330106"


def _owner(table: str) -> str:
    """The system whose contract delivers `table`."""
    (owner,) = [code for code, system in systems().items() if system.table(table)]
    return owner


def _latest_landing_month(home: Path, system: str) -> str:
    """The newest month folder of a system's landing files that holds a file."""
    folders = (home / "landing" / system).iterdir()
    return max(f.name for f in folders if MONTH_FOLDER.fullmatch(f.name) and any(f.iterdir()))


def _record(home: Path) -> dict:
    versions = sorted((home / "published" / "versions").glob("*/version.json"))
    return json.loads(versions[-1].read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def demo_provenance(demo_home: Path):
    return provenance(reader(Home(demo_home))).set_index("kpi_id")


def test_every_kpi_has_its_sources_and_the_served_build(demo_home: Path, demo_provenance):
    catalogue = reader(Home(demo_home))("select kpi_id from dim_kpi", [])["kpi_id"]
    assert sorted(demo_provenance.index) == sorted(catalogue)
    build_id = _record(demo_home)["build_id"]
    for kpi_id, row in demo_provenance.iterrows():
        assert row["sources"], f"{kpi_id} has no source"
        assert set(row["sources"]) <= set(systems()), kpi_id
        for code in row["sources"]:
            assert systems()[code].name_zh in row["sources_zh"], kpi_id
        assert row["build_id"] == build_id


def test_a_kpi_lists_exactly_the_systems_whose_tables_it_counts(demo_provenance):
    # party organisations are counted from the party organisation registry alone
    assert demo_provenance.loc["party_orgs", "sources"] == [_owner("party_orgs")]
    # an insurance rate: the insured (the enrolments) among the active workers (the rosters)
    expected = {_owner("enrolment"), _owner("worker_roster")}
    assert len(expected) == 2
    for kpi_id in ("insurance_rate_pension", "insurance_rate_work_injury"):
        assert set(demo_provenance.loc[kpi_id, "sources"]) == expected
    # the report-month spine reads two registries, yet it is a calendar, not a source
    assert demo_provenance.loc["demand_closure_rate", "sources"] == [_owner("demands")]
    assert demo_provenance.loc["canteens", "sources"] == [_owner("canteens")]


def test_data_as_of_is_the_latest_landing_month_of_its_sources(demo_home: Path, demo_provenance):
    for kpi_id, row in demo_provenance.iterrows():
        latest = {code: _latest_landing_month(demo_home, code) for code in row["sources"]}
        assert row["data_as_of"] == min(latest.values()), kpi_id
        for code, month in latest.items():
            assert f"{systems()[code].name_zh}(数据截至{month_zh(month)})" in row["sources_zh"]


def test_texts_are_chinese_without_ids_or_raw_floats(demo_provenance):
    for kpi_id, row in demo_provenance.iterrows():
        for text in (row["sources_zh"], row["audit_zh"]):
            assert text and not LATIN.search(text) and not LONG_FLOAT.search(text), (kpi_id, text)


def test_the_served_file_holds_the_published_audit(demo_home: Path, demo_provenance):
    findings = _record(demo_home)["audit"]["findings"]
    served = reader(Home(demo_home))(f"select * from {AUDIT_TABLE}", [])
    assert len(served) == len(findings)
    about = {f["kpi_id"] for f in findings if f.get("kpi_id")}
    for kpi_id, row in demo_provenance.iterrows():
        assert (row["audit_zh"] == AUDIT_PASSED) == (kpi_id not in about), kpi_id


@pytest.fixture(scope="module")
def warned_home(demo_home: Path, tmp_path_factory: pytest.TempPathFactory) -> dict:
    """A copy of the demo with a new build published whose last month has one district's
    service stations tripled: the audit warns about that figure, as in tests/test_audit.py."""
    home = tmp_path_factory.mktemp("warned") / "home"
    shutil.copytree(demo_home, home, symlinks=True)
    served = _record(home)["build_id"]
    build_id = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ") + "-a2a2"
    build_dir = home / "build" / build_id
    (build_dir / "target").mkdir(parents=True)
    shutil.copy(home / "build" / served / "target" / "manifest.json", build_dir / "target")
    database = build_dir / "xiaoge.duckdb"
    shutil.copy(home / "build" / served / "xiaoge.duckdb", database)
    with duckdb.connect(str(database)) as con:
        last = con.execute("select max(month_start) from fct_kpi_monthly").fetchall()[0][0]
        con.execute(
            "update fct_kpi_monthly set kpi_value = kpi_value * 3 where kpi_id = 'stations_active'"
            " and area_level = 'district' and district_code = ? and month_start = ?",
            [STATIONS_DISTRICT, last],
        )
        con.execute("update xiaoge_build set build_id = ?", [build_id])
        district = con.execute(
            "select district_name from districts where district_code = ?", [STATIONS_DISTRICT]
        ).fetchall()[0][0]
    audit = run_audit(build_id, database, home / "published" / "xiaoge.duckdb", build_dir)
    publish(Home(home), BuildResult(build_id, "2025-07-01T00:00:00+00:00", database, 0, []))
    return {"home": home, "month": last.strftime("%Y-%m"), "district": district, "audit": audit}


def test_an_audit_warning_shows_in_its_kpis_audit_result(warned_home: dict):
    home, month, district = Home(warned_home["home"]), warned_home["month"], warned_home["district"]
    about_stations = [f for f in warned_home["audit"].warnings if f.kpi_id == "stations_active"]
    assert len(about_stations) == 1
    city = provenance(reader(home), month).set_index("kpi_id")
    assert city.loc["stations_active", "audit_zh"] == f"数据质量检查:1 项提示({district})"
    assert city.loc["canteens", "audit_zh"] == AUDIT_PASSED
    # the district's reader sees its own warning; another district's reader does not
    own = provenance(reader(home, STATIONS_DISTRICT), month, STATIONS_DISTRICT)
    other = provenance(reader(home, "330105"), month, "330105")
    assert (
        own.set_index("kpi_id")
        .loc["stations_active", "audit_zh"]
        .startswith("数据质量检查:1 项提示")
    )
    assert other.set_index("kpi_id").loc["stations_active", "audit_zh"] == AUDIT_PASSED
    # an earlier month's figures passed
    earlier = provenance(reader(home), "2025-01").set_index("kpi_id")
    assert earlier.loc["stations_active", "audit_zh"] == AUDIT_PASSED


def test_a_file_served_before_provenance_gives_none(tmp_path: Path, demo_home: Path):
    served = tmp_path / "published" / "xiaoge.duckdb"
    served.parent.mkdir()
    shutil.copy(demo_home / "published" / "xiaoge.duckdb", served)
    with duckdb.connect(str(served)) as con:
        con.execute(f"drop table {AUDIT_TABLE}")
        con.execute("drop table dim_kpi_source")
    frame = provenance(reader(Home(tmp_path)))
    assert len(frame) > 0
    assert frame[["sources", "sources_zh", "data_as_of", "audit_zh"]].isna().all().all()
    assert frame["build_id"].notna().all()


def test_findings_are_written_once_before_the_file_is_served(tmp_path: Path):
    database = tmp_path / "xiaoge.duckdb"
    duckdb.connect(str(database)).close()
    finding = {"severity": "warning", "check": "范围", "message": "西湖区 ……", "kpi_id": "canteens"}
    write_audit_findings(database, {"findings": [finding]})
    # a file that already holds its findings (a publish resumed after it was served) is left
    # alone: nothing writes to a file readers may have open
    write_audit_findings(database, {"findings": [finding, finding]})
    with duckdb.connect(str(database), read_only=True) as con:
        rows = con.execute(f"select kpi_id, district_code, message from {AUDIT_TABLE}").fetchall()
    assert rows == [("canteens", None, "西湖区 ……")]
