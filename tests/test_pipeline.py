"""The thin slice end to end: landing file -> raw Parquet -> dbt -> published DuckDB -> `xiaoge kpi`."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb

from tests.conftest import kpi_json, run_cli


def test_party_organisations_rise_from_13_to_50(demo_home: Path):
    assert kpi_json(demo_home, "--month", "2023-01")["kpis"]["party_orgs"]["value"] == 13
    assert kpi_json(demo_home, "--month", "2025-06")["kpis"]["party_orgs"]["value"] == 50


def test_latest_month_is_the_default(demo_home: Path):
    values = kpi_json(demo_home)
    assert values["month"] == "2025-06"
    assert values["district_code"] is None


def test_district_values_add_up_to_the_city(demo_home: Path):
    with duckdb.connect(str(demo_home / "published" / "xiaoge.duckdb"), read_only=True) as con:
        codes = [
            row[0]
            for row in con.execute(
                "select district_code from dim_district where district_kind <> 'unknown'"
            ).fetchall()
        ]
    total = sum(
        kpi_json(demo_home, "--month", "2025-06", "--district", code)["kpis"]["party_orgs"]["value"]
        for code in codes
    )
    assert len(codes) == 13
    assert total == 50


def test_raw_zone_holds_one_parquet_part_per_landed_file(demo_home: Path):
    landed = sorted((demo_home / "landing" / "organisation").glob("*/party_orgs.csv"))
    parts = sorted(
        (demo_home / "raw" / "organisation" / "party_orgs").glob("month=*/party_orgs.parquet")
    )
    assert len(landed) == len(parts) == 30
    with duckdb.connect() as con:
        months = con.execute(
            "select count(distinct _delivery_month), min(_delivery_month), max(_delivery_month) "
            "from read_parquet(?)",
            [str(demo_home / "raw/organisation/party_orgs/*/*.parquet")],
        ).fetchall()[0]
        columns = {
            row[0]
            for row in con.execute(
                "describe select * from read_parquet(?)", [str(parts[0])]
            ).fetchall()
        }
    assert months == (30, "2023-01", "2025-06")
    assert "secretary_name" not in columns, "names must be dropped at ingest"


def test_status_reports_the_published_build_and_the_loaded_source(demo_home: Path):
    status = json.loads(run_cli(demo_home, "status", "--json").stdout)
    assert status["published"]["build_id"] == kpi_json(demo_home)["build_id"]
    party_orgs = next(s for s in status["sources"] if s["table"] == "party_orgs")
    assert party_orgs["files"] == 30
    assert party_orgs["last_month"] == "2025-06"
    assert party_orgs["rows_accepted"] > 30 * 13


def test_export_of_the_last_month_is_written_by_demo(demo_home: Path):
    pack = demo_home / "exports" / "2025-06" / "v1"
    manifest = json.loads((pack / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["month"] == "2025-06"
    assert manifest["build_id"] == kpi_json(demo_home)["build_id"]
    csv_bytes = (pack / "kpis.csv").read_bytes()
    assert csv_bytes.startswith(b"\xef\xbb\xbf")
    assert "party_orgs,党组织数,2025-06,全市" in csv_bytes.decode("utf-8-sig")
