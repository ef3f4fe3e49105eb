"""Write-audit-publish: a failed or killed build never changes what is served."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import signal
import subprocess
import time
from pathlib import Path

import pytest

from tests.conftest import XIAOGE, kpi_json, run_cli
from warehouse.config import REPO_ROOT, Home
from warehouse.kpis import kpi_values


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def status(home: Path) -> dict:
    return json.loads(run_cli(home, "status", "--json").stdout)


@pytest.fixture
def corrupted_dbt_project(tmp_path: Path) -> Path:
    """A copy of the dbt project whose party-organisation count turns negative in the last month."""
    root = tmp_path / "project"
    shutil.copytree(
        REPO_ROOT / "dbt", root / "dbt", ignore=shutil.ignore_patterns("target", "logs")
    )
    shutil.copytree(REPO_ROOT / "seeds", root / "seeds")
    model = root / "dbt" / "models" / "marts" / "kpi" / "fct_kpi_monthly.sql"
    sql = model.read_text(encoding="utf-8")
    corrupted = sql.replace(
        "round(kpi_value, 6) as kpi_value",
        "case when kpi_id = 'party_orgs' and month_start = (select max(month_start) from all_kpis)"
        " then -1 else 1 end * round(kpi_value, 6) as kpi_value",
    )
    assert corrupted != sql
    model.write_text(corrupted, encoding="utf-8")
    return root / "dbt"


def test_a_failed_audit_publishes_nothing_and_says_why(
    copy_of_demo_home: Path, corrupted_dbt_project: Path
):
    home = copy_of_demo_home
    served = home / "published" / "xiaoge.duckdb"
    before_hash, before_kpis = sha256(served), kpi_json(home, "--month", "2025-06")

    env = {
        **os.environ,
        "XIAOGE_HOME": str(home),
        "XIAOGE_DBT_PROJECT_DIR": str(corrupted_dbt_project),
    }
    result = subprocess.run(
        [XIAOGE, "build"], env=env, capture_output=True, text=True, timeout=600, check=False
    )

    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    error_lines = [line for line in result.stderr.splitlines() if line.startswith("错误")]
    assert len(error_lines) == 1
    assert "审计未通过,未发布" in error_lines[0]
    assert "计数类指标不为负" in error_lines[0]
    assert sha256(served) == before_hash
    assert kpi_json(home, "--month", "2025-06") == before_kpis
    report = status(home)
    assert report["published"]["build_id"] == before_kpis["build_id"]
    assert report["last_build"]["status"] == "failed"
    assert "计数类指标不为负" in report["last_build"]["message"]
    assert report["last_build"]["audit"]["errors"] >= 1
    data_docs = Path(report["last_build"]["audit"]["data_docs"])
    assert data_docs.name == "index.html" and data_docs.exists()


def test_the_published_build_carries_its_audit(demo_home: Path):
    report = status(demo_home)
    audit = report["published"]["audit"]
    assert audit["passed"] is True
    assert audit["errors"] == 0
    assert audit["checks"] >= 9  # generic mart checks plus the KPI suite
    build_folder = demo_home / "build" / report["published"]["build_id"]
    assert json.loads((build_folder / "audit.json").read_text(encoding="utf-8"))["passed"] is True
    assert (
        build_folder / "audit" / "gx" / "uncommitted" / "data_docs" / "local_site" / "index.html"
    ).exists()


def _wait_for(condition, timeout: float = 300) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("timed out waiting for the build to reach the kill point")
        time.sleep(0.1)


def _newest_build(home: Path, known: set[str]) -> Path | None:
    fresh = [p for p in (home / "build").iterdir() if p.is_dir() and p.name not in known]
    return max(fresh, default=None)


def _start_build(home: Path, pause_at: str) -> subprocess.Popen:
    """`xiaoge build`, told to pause at each of the points in `pause_at` (comma-separated)."""
    env = {
        **os.environ,
        "XIAOGE_HOME": str(home),
        "XIAOGE_PAUSE_AT": pause_at,
        "XIAOGE_PAUSE_SECONDS": "300",
    }
    return subprocess.Popen(
        [XIAOGE, "build"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )


def _kill(child: subprocess.Popen) -> None:
    """SIGKILL the build and its dbt child."""
    os.killpg(child.pid, signal.SIGKILL)
    child.wait()


def _assert_nothing_served_changed(home: Path, before: dict, where: str) -> None:
    assert kpi_json(home, "--month", "2025-06") == before, where
    assert status(home)["published"]["build_id"] == before["build_id"], where


def test_killed_builds_change_nothing_served_then_a_build_and_rollback_swap_it_under_a_reader(
    copy_of_demo_home: Path,
):
    home = copy_of_demo_home
    where = Home(home)
    before = kpi_json(home, "--month", "2025-06")
    first = before["build_id"]
    versions = len(status(home)["versions"])

    # killed while dbt writes the new build's database
    known = {p.name for p in (home / "build").iterdir()}
    child = _start_build(home, "")
    try:
        _wait_for(
            lambda: (b := _newest_build(home, known)) is not None and (b / "xiaoge.duckdb").exists()
        )
        assert child.poll() is None, "the build ended before it could be killed"
    finally:
        _kill(child)
    _assert_nothing_served_changed(home, before, "dbt")

    # one build paused at the audit, let go on to publish, paused there and killed
    known = {p.name for p in (home / "build").iterdir()}
    child = _start_build(home, "audit,publish")
    try:
        _wait_for(
            lambda: (
                (b := _newest_build(home, known)) is not None and (b / "paused-at-audit").exists()
            )
        )
        _assert_nothing_served_changed(home, before, "audit")
        (_newest_build(home, known) / "paused-at-audit").unlink()
        _wait_for(lambda: (home / "published" / "paused-at-publish").exists())
        assert child.poll() is None, "the build ended before it could be killed"
    finally:
        _kill(child)
    (home / "published" / "paused-at-publish").unlink(missing_ok=True)
    _assert_nothing_served_changed(home, before, "publish")

    # the next build, with a reader querying in a loop all through it
    env = {**os.environ, "XIAOGE_HOME": str(home)}
    builder = subprocess.Popen(
        [XIAOGE, "build"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
    )
    seen: list[str] = []
    while builder.poll() is None:
        values = kpi_values(where, month="2025-06")
        assert values["kpis"]["party_orgs"]["value"] == 50
        seen.append(values["build_id"])
        time.sleep(0.3)  # a reader, not a busy loop taking a core from the build it watches
    assert builder.returncode == 0, builder.stderr.read()
    after = kpi_json(home, "--month", "2025-06")
    second = after["build_id"]
    assert second != first
    assert after["kpis"] == before["kpis"]
    assert set(seen) <= {first, second}
    assert seen.count(first) > 0, "the reader never ran during the build"
    assert not list((home / "published").glob(".*.tmp")), (
        "a staged file of the killed publish was left behind"
    )
    assert len(status(home)["versions"]) == versions + 1, (
        "a killed publish must not leave a version behind"
    )

    result = run_cli(home, "rollback")
    assert first in result.stderr
    report = status(home)
    assert report["published"]["build_id"] == first
    assert report["published"]["is_newest_version"] is False
    assert "回滚" in run_cli(home, "status").stdout
    assert kpi_values(where, month="2025-06")["build_id"] == first, (
        "a running reader sees the rollback"
    )

    run_cli(home, "rollback", second)
    assert status(home)["published"]["build_id"] == second
