"""Corrections that never lose data: a re-delivery that would lose rows is held (nothing in the
raw zone changes), `--accept-correction` applies it, `--revert` brings the earlier delivery
back, and the KPIs built after the revert are the ones built before the correction."""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest
from streamlit.testing.v1 import AppTest

from tests.access_support import APP
from tests.conftest import kpi_json, run_cli
from tests.test_cli_errors import assert_one_line_error

MONTH = "2025-06"
ALL_QUARANTINED = f"platform/{MONTH}/worker_roster__meituan.csv"  # every row bad
SHORTENED = f"platform/{MONTH}/worker_roster__dada.csv"  # 30% of its rows


def raw_snapshot(home: Path) -> dict[str, str]:
    """Every file under raw/ (current parts, stored deliveries, quarantine, ledger) and its hash."""
    return {
        p.relative_to(home).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted((home / "raw").rglob("*"))
        if p.is_file()
    }


def ledger_rows(home: Path, file_path: str) -> list[dict]:
    rows = pq.read_table(home / "raw" / "_ledger.parquet").to_pylist()
    return [r for r in rows if r["file_path"] == file_path]


def current_rows(home: Path, file_path: str) -> int:
    system, month, name = file_path.split("/")
    table = name.split("__")[0]
    part = home / "raw" / system / table / f"month={month}" / f"{Path(name).stem}.parquet"
    return pq.read_metadata(part).num_rows


def write_corrections(home: Path) -> dict[str, int]:
    """Re-deliver two rosters under their landing names; return each one's rows before."""
    before = {}
    bad = home / "landing" / ALL_QUARANTINED
    frame = pd.read_csv(bad, dtype=str, keep_default_na=False)
    frame["入职日期"] = "待补"  # not a date: every row is quarantined
    frame.to_csv(bad, index=False)
    before[ALL_QUARANTINED] = len(frame)
    short = home / "landing" / SHORTENED
    frame = pd.read_csv(short, dtype=str, keep_default_na=False)
    frame.head(int(len(frame) * 0.3)).to_csv(short, index=False)
    before[SHORTENED] = len(frame)
    return before


def test_corrections_that_lose_rows_are_held_and_change_nothing(
    copy_of_demo_home: Path, monkeypatch: pytest.MonkeyPatch
):
    home = copy_of_demo_home
    loaded = {f: ledger_rows(home, f)[-1]["rows_accepted"] for f in (ALL_QUARANTINED, SHORTENED)}
    write_corrections(home)
    before = raw_snapshot(home)
    for _attempt in range(2):  # held again, from its numbers, until someone decides
        result = run_cli(home, "ingest", check=False)
        assert result.returncode == 2, result.stderr
        assert "Traceback" not in result.stdout + result.stderr
        held = [line for line in result.stderr.splitlines() if line.startswith("暂缓")]
        assert len(held) == 2, result.stderr
        for file_path in (ALL_QUARANTINED, SHORTENED):
            line = next(line for line in held if line.startswith(f"暂缓 {file_path}:"))
            counts = re.search(r"入库行从 (\d+) 变为 (\d+)", line)
            assert counts, line
            old, new = int(counts[1]), int(counts[2])
            assert old == loaded[file_path]
            if file_path == ALL_QUARANTINED:
                assert new == 0
            else:
                assert 0 < new <= 0.3 * old + 1
            assert line.endswith(f"xiaoge ingest --accept-correction {file_path}"), line
        assert "暂缓 2 个更正" in result.stderr
        assert raw_snapshot(home) == before, "a held correction changed the raw zone"
    status = json.loads(run_cli(home, "status", "--json").stdout)
    by_file = {item["file_path"]: item for item in status["held"]}
    assert set(by_file) == {ALL_QUARANTINED, SHORTENED}
    assert by_file[ALL_QUARANTINED]["rows_accepted"] == 0
    assert by_file[ALL_QUARANTINED]["current_rows_accepted"] == loaded[ALL_QUARANTINED]
    assert by_file[SHORTENED]["command"] == f"xiaoge ingest --accept-correction {SHORTENED}"
    text = run_cli(home, "status").stdout
    assert f"暂缓的更正 {ALL_QUARANTINED}" in text.replace("\n", "")
    # the data-quality page lists both, with the numbers and the command that applies each
    monkeypatch.setenv("XIAOGE_HOME", str(home))
    monkeypatch.setenv("XIAOGE_DEMO_ROLE", "analyst")
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.switch_page("app_pages/quality.py").run()
    assert not at.exception, at.exception
    shown = [w.value for w in at.warning if "更正会使入库行" in w.value]
    assert len(shown) == 2, shown
    line = next(w for w in shown if w.startswith(ALL_QUARANTINED))
    assert f"从 {loaded[ALL_QUARANTINED]} 变为 0" in line
    assert f"xiaoge ingest --accept-correction {ALL_QUARANTINED}" in line
    # the operator commands refuse what they cannot do, in one line, and change nothing
    other = f"platform/{MONTH}/worker_roster__uu.csv"
    assert_one_line_error(
        run_cli(home, "ingest", "--accept-correction", other, check=False), other, "没有暂缓的更正"
    )
    assert_one_line_error(
        run_cli(home, "ingest", "--revert", other, check=False), other, "没有更早的导入版本"
    )
    never = f"organisation/{MONTH}/no_such_table.csv"
    assert_one_line_error(
        run_cli(home, "ingest", "--revert", never, check=False), never, "没有导入过"
    )
    assert raw_snapshot(home) == before


@pytest.mark.timeout(900)
def test_accept_then_revert_brings_back_the_rows_and_the_kpis(copy_of_demo_home: Path):
    home = copy_of_demo_home
    kpis_before = kpi_json(home, "--month", MONTH)["kpis"]
    parts_before = raw_snapshot(home)
    rows_before = {f: current_rows(home, f) for f in (ALL_QUARANTINED, SHORTENED)}
    write_corrections(home)
    assert run_cli(home, "ingest", check=False).returncode == 2

    for file_path in (ALL_QUARANTINED, SHORTENED):
        result = run_cli(home, "ingest", "--accept-correction", file_path)
        assert "已应用暂缓的更正" in result.stderr and file_path in result.stderr
        rows = ledger_rows(home, file_path)
        assert [r["status"] for r in rows] == ["superseded", "loaded"]
        assert rows[-1]["accepted_by_operator"] is True and "操作员确认" in rows[-1]["note"]
        assert current_rows(home, file_path) == rows[-1]["rows_accepted"]
    assert current_rows(home, ALL_QUARANTINED) == 0
    assert 0 < current_rows(home, SHORTENED) <= 0.3 * rows_before[SHORTENED] + 1
    assert json.loads(run_cli(home, "status", "--json").stdout)["held"] == []

    for file_path in (ALL_QUARANTINED, SHORTENED):
        result = run_cli(home, "ingest", "--revert", file_path)
        assert "已撤回" in result.stderr
        rows = ledger_rows(home, file_path)
        assert [r["status"] for r in rows] == ["loaded", "reverted"]
        assert current_rows(home, file_path) == rows_before[file_path]
        again = run_cli(home, "ingest", "--revert", file_path, check=False)
        assert_one_line_error(again, file_path, "没有更早的导入版本")
    # the current parts and the quarantine are the earlier delivery's, byte for byte
    now = raw_snapshot(home)
    current = {
        name: digest
        for name, digest in parts_before.items()
        if "/_deliveries/" not in name and not name.endswith("_ledger.parquet")
    }
    assert {name: now.get(name) for name in current} == current
    # the reverted version still sits in landing: ingest leaves it alone
    result = run_cli(home, "ingest")
    assert "导入 0 个文件" in result.stderr

    run_cli(home, "build", "--full", timeout=900)
    kpis_after = kpi_json(home, "--month", MONTH)["kpis"]
    assert {k: v["value"] for k, v in kpis_after.items()} == {
        k: v["value"] for k, v in kpis_before.items()
    }
