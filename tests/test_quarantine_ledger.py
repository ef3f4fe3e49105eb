"""The quality page's quarantine reasons, summed from the ingest ledger, against a scan of every
current quarantine part: equal on the demo's files, after a re-delivery that changes the
quarantined rows, after `xiaoge ingest --revert` of it, and (by the scan) on a ledger written
before the ledger counted reasons.

Ingest only, no build: the demo's last month (37 files) is ingested into a home of its own.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest

from tests.conftest import run_cli
from warehouse import ledger
from warehouse.config import Home

MONTH = "2025-06"
REDELIVERED = f"platform/{MONTH}/worker_roster__meituan.csv"
DUPLICATES = 3  # rows of the re-delivery sent twice: each quarantined once more


@pytest.fixture(scope="module")
def month_home(demo_home: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A home with the demo's last month of landing files, ingested by this version."""
    home = tmp_path_factory.mktemp("quarantine-ledger") / "home"
    for folder in sorted((demo_home / "landing").glob(f"*/{MONTH}")):
        shutil.copytree(folder, home / "landing" / folder.parent.name / MONTH)
    run_cli(home, "ingest")
    return home


@pytest.fixture
def home(month_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A private copy of `month_home`, served to the data module as an analyst's."""
    target = tmp_path / "home"
    shutil.copytree(month_home, target)
    monkeypatch.setenv("XIAOGE_HOME", str(target))
    monkeypatch.setenv("XIAOGE_DEMO_ROLE", "analyst")
    return target


def page(home: Path) -> tuple[pd.DataFrame, pd.DataFrame, bool]:
    """(what the page shows, the scan of the quarantine parts, whether the ledger answered)."""
    from dashboards import data

    counted = ledger.quarantine_reasons(Home(home)) is not None
    return data.quarantine_reasons(), data.scan_quarantine_reasons(Home(home)), counted


def table_rows(frame: pd.DataFrame, system: str, table: str) -> int:
    return int(frame[(frame["system"] == system) & (frame["table_name"] == table)]["rows"].sum())


def test_the_ledger_counts_what_the_quarantine_parts_hold(home: Path):
    shown, scanned, counted = page(home)
    assert counted
    pd.testing.assert_frame_equal(shown, scanned)
    rows = ledger.read(Home(home))
    assert len(rows) == 37
    quarantined = sum(r["rows_quarantined"] for r in rows)
    assert quarantined == 192  # the demo's June 2025 files
    # a row with several reasons counts under each: at least one count per quarantined row
    assert shown["rows"].sum() >= quarantined
    assert list(shown.columns) == ["system", "table_name", "reason", "rows"]
    assert shown["rows"].is_monotonic_decreasing


def redeliver_with_duplicates(home: Path) -> None:
    """Send the meituan roster again with its first rows repeated at the end."""
    path = home / "landing" / REDELIVERED
    lines = path.read_bytes().splitlines(keepends=True)
    if not lines[-1].endswith(b"\n"):
        lines[-1] += b"\n"
    path.write_bytes(b"".join([*lines, *lines[1 : 1 + DUPLICATES]]))
    run_cli(home, "ingest", str(path))


def test_a_redelivery_and_its_revert_keep_the_ledger_equal_to_the_parts(home: Path):
    before, _, _ = page(home)
    roster_before = table_rows(before, "platform", "worker_roster")

    redeliver_with_duplicates(home)
    shown, scanned, counted = page(home)
    assert counted
    pd.testing.assert_frame_equal(shown, scanned)
    assert table_rows(shown, "platform", "worker_roster") == roster_before + DUPLICATES
    duplicates = shown[shown["reason"].str.startswith("主键重复")]
    assert (
        duplicates["rows"].sum()
        == before[before["reason"].str.startswith("主键重复")]["rows"].sum() + DUPLICATES
    )

    run_cli(home, "ingest", "--revert", REDELIVERED)
    shown, scanned, counted = page(home)
    assert counted
    pd.testing.assert_frame_equal(shown, scanned)
    pd.testing.assert_frame_equal(shown, before)


def test_a_ledger_without_the_counts_falls_back_to_the_scan(home: Path):
    counted_answer, _, _ = page(home)
    old = pq.read_table(Home(home).ledger).drop_columns(["quarantine_reasons"])
    pq.write_table(old, Home(home).ledger)

    shown, scanned, counted = page(home)
    assert not counted
    pd.testing.assert_frame_equal(shown, scanned)
    pd.testing.assert_frame_equal(shown, counted_answer)

    # rewritten by a later run, the old deliveries have no counts: still the scan's answer
    book = ledger.Ledger(Home(home))
    assert all(r["quarantine_reasons"] is None for r in book.rows)
    book.save()
    shown, _, counted = page(home)
    assert not counted
    pd.testing.assert_frame_equal(shown, counted_answer)


def test_one_current_delivery_without_counts_is_enough_to_scan(home: Path):
    counted_answer, _, _ = page(home)
    book = ledger.Ledger(Home(home))
    current = book.current(REDELIVERED)
    assert current is not None and current["rows_quarantined"] > 0
    current["quarantine_reasons"] = None
    book.save()
    shown, _, counted = page(home)
    assert not counted
    pd.testing.assert_frame_equal(shown, counted_answer)


def test_the_demo_homes_ledger_counts_every_quarantine_part(
    demo_home: Path, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setenv("XIAOGE_HOME", str(demo_home))
    monkeypatch.setenv("XIAOGE_DEMO_ROLE", "analyst")
    shown, scanned, counted = page(demo_home)
    assert counted
    assert len(shown) > 1000  # each duplicate's reason names its key
    pd.testing.assert_frame_equal(shown, scanned)
