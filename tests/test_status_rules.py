"""The rules behind `xiaoge status`, on a home made by hand: no demo, no build.

Per source table: only current deliveries count, the latest month and how many days since the
last load (a source that has gone quiet shows its age), nothing for a table never loaded;
held corrections with the command that applies them; the served build, whether it is the
newest version (after a rollback it is not), and the latest build attempt with its failure.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace

import pytest

from warehouse import ledger
from warehouse.config import Home
from warehouse.contracts import systems
from warehouse.duck import connect
from warehouse.ingest import HeldCorrections
from warehouse.status import last_build, status

ROSTER = systems()["platform"].table("worker_roster")
AUDIT = {
    "passed": True,
    "checks": 12,
    "errors": 0,
    "warnings": 1,
    "data_docs": None,
    "findings": [{"message": "西湖区 2025年6月 服务驿站数 为 520个"}],
}


@pytest.fixture
def home(tmp_path: Path) -> Home:
    home = Home(tmp_path / "home")
    home.raw.mkdir(parents=True)
    return home


def deliver(book: ledger.Ledger, month: str, accepted: int, days_ago: int = 0) -> dict:
    """Record a delivery of the meituan roster for `month`, loaded `days_ago` days ago."""
    source = SimpleNamespace(
        relative=f"platform/{month}/worker_roster__meituan.csv",
        system="platform",
        month=month,
        table=ROSTER,
    )
    counts = SimpleNamespace(rows_read=accepted + 2, rows_accepted=accepted, rows_quarantined=2)
    row = book.record(source, f"{month}-{accepted}", counts)
    row["ingested_at"] = row["ingested_at"] - timedelta(days=days_ago)
    return row


def source(report: dict, system: str, table: str) -> dict:
    return next(s for s in report["sources"] if (s["system"], s["table"]) == (system, table))


def test_an_empty_home_lists_every_contract_table_as_never_loaded(home: Home):
    report = status(home)
    tables = [(s.system, t.name) for s in systems().values() for t in s.tables]
    assert [(s["system"], s["table"]) for s in report["sources"]] == tables
    for item in report["sources"]:
        assert (item["files"], item["rows_accepted"], item["rows_quarantined"]) == (0, 0, 0)
        assert item["last_month"] is item["last_loaded_at"] is item["days_since_load"] is None
    assert report["published"] is None and report["last_build"] is None
    assert report["versions"] == [] and report["held"] == []


def test_only_current_deliveries_count(home: Home):
    book = ledger.Ledger(home)
    deliver(book, "2025-05", 100)
    deliver(book, "2025-06", 120)
    deliver(book, "2025-06", 90)  # a re-delivery: supersedes the 120
    book.save()
    roster = source(status(home), "platform", "worker_roster")
    assert (roster["files"], roster["rows_accepted"], roster["rows_quarantined"]) == (2, 190, 4)
    assert roster["last_month"] == "2025-06"
    assert source(status(home), "platform", "monthly_activity")["files"] == 0


def test_days_since_load_shows_how_long_a_source_has_been_quiet(home: Home):
    book = ledger.Ledger(home)
    deliver(book, "2025-04", 80, days_ago=40)
    latest = deliver(book, "2025-05", 90, days_ago=9)
    book.save()
    roster = source(status(home), "platform", "worker_roster")
    assert roster["days_since_load"] == 9
    assert roster["last_loaded_at"] == latest["ingested_at"].isoformat()


def test_held_corrections_are_listed_with_the_command_that_applies_them(home: Home):
    held = HeldCorrections(home)
    file_path = "platform/2025-06/worker_roster__meituan.csv"
    held.put({"file_path": file_path, "rows_accepted": 10, "current_rows_accepted": 120})
    held.save()
    (item,) = status(home)["held"]
    assert item["file_path"] == file_path
    assert item["command"] == f"xiaoge ingest --accept-correction {file_path}"


def write_json(path: Path, data: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data), encoding="utf-8")


def test_the_latest_build_attempt_is_reported_with_its_failure_and_audit(home: Home):
    older = home.build / "20250601T000000Z-aaaa"
    newer = home.build / "20250602T000000Z-bbbb"
    write_json(older / "build.json", {"build_id": older.name, "status": "built", "message": ""})
    write_json(
        newer / "build.json", {"build_id": newer.name, "status": "failed", "message": "审计未通过"}
    )
    write_json(newer / "audit.json", AUDIT | {"passed": False, "errors": 1})
    record = last_build(home)
    assert (record["build_id"], record["status"], record["message"]) == (
        newer.name,
        "failed",
        "审计未通过",
    )
    assert record["audit"] == {
        "passed": False,
        "checks": 12,
        "errors": 1,
        "warnings": 1,
        "data_docs": None,
        "messages": ["西湖区 2025年6月 服务驿站数 为 520个"],
    }


def test_a_rolled_back_build_is_served_but_not_the_newest_version(home: Home):
    served, newest = "20250601T000000Z-aaaa", "20250602T000000Z-bbbb"
    for build_id in (served, newest):
        record = {"build_id": build_id, "built_at": "2025-06-01T00:00:00", "audit": AUDIT}
        write_json(home.published / "versions" / build_id / "version.json", record)
    built_at = datetime(2025, 6, 1, tzinfo=UTC).replace(tzinfo=None)
    with connect(home.published_db) as con:
        con.execute(
            "create table xiaoge_build (build_id varchar, built_at timestamp, tool_version varchar)"
        )
        con.execute("insert into xiaoge_build values (?, ?, '1.0')", [served, built_at])
    report = status(home)
    assert [v["build_id"] for v in report["versions"]] == [newest, served]
    published = report["published"]
    assert published["build_id"] == served and published["is_newest_version"] is False
    assert published["audit"]["messages"] == ["西湖区 2025年6月 服务驿站数 为 520个"]
