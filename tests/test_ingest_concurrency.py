"""Ingest safety: two ingests at once, or an ingest and a build, take turns on the home's lock;
an ingest killed with SIGKILL at any point is finished by the next run, with no row doubled or
lost."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import time
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest

from tests.conftest import XIAOGE, run_cli
from tests.test_cli_errors import assert_one_line_error

NEW_FILE = "organisation/2025-07/party_orgs.csv"  # a month the demo has not delivered
CORRECTED = "organisation/2025-06/party_orgs.csv"


def start_ingest(home: Path, **env: str) -> subprocess.Popen:
    return subprocess.Popen(
        [XIAOGE, "ingest"],
        env={**os.environ, "XIAOGE_HOME": str(home), **env},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def add_new_file(home: Path) -> None:
    source = home / "landing" / CORRECTED
    target = home / "landing" / NEW_FILE
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(source, target)


def correct_a_file(home: Path) -> None:
    """A good correction: the same organisations, two names spelt differently."""
    path = home / "landing" / CORRECTED
    frame = pd.read_csv(path, encoding="gbk", dtype=str, keep_default_na=False)
    frame.loc[:1, "组织名称"] = frame.loc[:1, "组织名称"] + "(更正)"
    frame.to_csv(path, index=False, encoding="gbk")


def assert_consistent(home: Path) -> list[dict]:
    """One current delivery per file; each current part holds exactly its delivery's rows;
    every delivery's rows are kept; nothing left half-written. Returns the ledger."""
    raw = home / "raw"
    ledger = pq.read_table(raw / "_ledger.parquet").to_pylist()
    by_file: dict[str, list[dict]] = {}
    for row in ledger:
        by_file.setdefault(row["file_path"], []).append(row)
        assert row["rows_read"] == row["rows_accepted"] + row["rows_quarantined"], row
    for file_path, rows in by_file.items():
        assert [r["status"] for r in rows].count("loaded") == 1, file_path
    for file_path in (NEW_FILE, CORRECTED):
        rows = by_file[file_path]
        current = next(r for r in rows if r["status"] == "loaded")
        system, month, _name = file_path.split("/")
        part = raw / system / "party_orgs" / f"month={month}" / "party_orgs.parquet"
        checksums = pq.read_table(part, columns=["_file_checksum"]).column(0).to_pylist()
        assert checksums == [current["checksum"]] * current["rows_accepted"], file_path
        for row in rows:
            stored = raw / "_deliveries" / system / "party_orgs" / f"month={month}" / "party_orgs"
            assert (
                pq.read_metadata(stored / f"{row['checksum']}.parquet").num_rows
                == (row["rows_accepted"])
            )
    stored = {p.name.split(".")[0] for p in (raw / "_deliveries").rglob("*.parquet")}
    assert stored <= {r["checksum"] for r in ledger}, "a stored part no delivery records"
    assert not list(raw.rglob("*.tmp")) and not (raw / "_ledger.journal.json").exists()
    return ledger


def test_two_ingests_at_once_load_a_new_file_once(copy_of_demo_home: Path):
    home = copy_of_demo_home
    add_new_file(home)
    first, second = start_ingest(home), start_ingest(home)
    outputs = [process.communicate(timeout=300) for process in (first, second)]
    assert [first.returncode, second.returncode] == [0, 0], outputs
    summaries = sorted(
        next(line for line in err.splitlines() if line.startswith("导入 ")) for _out, err in outputs
    )
    assert summaries[0].startswith("导入 0 个文件") and summaries[1].startswith("导入 1 个文件")
    ledger = assert_consistent(home)
    assert [r["status"] for r in ledger if r["file_path"] == NEW_FILE] == ["loaded"]


def test_a_second_command_waits_for_the_lock_and_a_build_gives_up_in_one_line(
    copy_of_demo_home: Path,
):
    home = copy_of_demo_home
    add_new_file(home)
    holder = start_ingest(home, XIAOGE_PAUSE_AT="ingest-commit", XIAOGE_PAUSE_SECONDS="15")
    _wait_for(home / "paused-at-ingest-commit", holder)
    # XIAOGE_LOCK_TIMEOUT=0: do not wait, refuse in one line
    build = run_with(home, {"XIAOGE_LOCK_TIMEOUT": "0"}, "build")
    assert build.returncode == 1
    assert_one_line_error(build, "另一个导入或构建正在进行", "xiaoge ingest", "请等它完成后再运行")
    waiter = run_with(home, {}, "ingest")  # waits for the holder, then finds the file loaded
    assert waiter.returncode == 0, waiter.stderr
    assert "另一个导入或构建正在进行" in waiter.stderr and "等待" in waiter.stderr
    assert holder.wait(timeout=60) == 0
    assert "导入 0 个文件" in waiter.stderr


@pytest.mark.parametrize("point", ["ingest-commit", "ingest-ledger", "ingest-switch"])
def test_an_ingest_killed_at_any_point_is_finished_by_the_next_run(
    copy_of_demo_home: Path, point: str
):
    """Killed after the parts are written (ledger not saved), after the journal is written,
    or after the ledger is saved (current parts not yet switched)."""
    home = copy_of_demo_home
    add_new_file(home)
    correct_a_file(home)
    victim = start_ingest(home, XIAOGE_PAUSE_AT=point, XIAOGE_PAUSE_SECONDS="120")
    _wait_for(home / f"paused-at-{point}", victim)
    victim.send_signal(signal.SIGKILL)
    victim.wait(timeout=30)
    (home / f"paused-at-{point}").unlink()
    result = run_cli(home, "ingest")
    loaded_now = "导入 2 个文件" in result.stderr
    assert loaded_now == (point == "ingest-commit" or point == "ingest-ledger"), result.stderr
    ledger = assert_consistent(home)
    assert [r["status"] for r in ledger if r["file_path"] == NEW_FILE] == ["loaded"]
    assert [r["status"] for r in ledger if r["file_path"] == CORRECTED] == ["superseded", "loaded"]
    assert "导入 0 个文件" in run_cli(home, "ingest").stderr


def run_with(home: Path, env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [XIAOGE, *args],
        env={**os.environ, "XIAOGE_HOME": str(home), **env},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def _wait_for(marker: Path, process: subprocess.Popen, seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while not marker.exists():
        if process.poll() is not None:
            raise AssertionError(f"ingest ended before {marker.name}: {process.communicate()}")
        assert time.monotonic() < deadline, f"no {marker.name}"
        time.sleep(0.1)
