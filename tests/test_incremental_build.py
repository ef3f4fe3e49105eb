"""Incremental builds: only the months with new files are recomputed, and the figures are the
ones a full build computes from the same raw zone."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest

from tests.conftest import run_cli
from warehouse.build import plan_build
from warehouse.config import REPO_ROOT, Home
from warehouse.generate import platform


def said(result) -> str:
    """What the command told the user, with the terminal's line wrapping undone."""
    return (result.stdout + result.stderr).replace("\n", "")


def kpi_rows(home: Path) -> list[tuple]:
    with duckdb.connect(str(home / "published" / "xiaoge.duckdb"), read_only=True) as con:
        return con.execute("select * from fct_kpi_monthly order by kpi_row_id").fetchall()


def test_a_late_correction_rebuilds_from_the_month_before_and_matches_a_full_build(
    copy_of_demo_home: Path,
):
    home = copy_of_demo_home
    before = kpi_rows(home)
    month, _ = platform.CORRECTION
    platform.write_late_correction(home / "landing")
    run_cli(home, "ingest")

    incremental = run_cli(home, "build")
    assert "增量:自 2025-02 起重算" in said(incremental), said(incremental)
    after = kpi_rows(home)
    changed = set(before) ^ set(after)
    assert changed, "the corrected incomes change the income KPIs"
    assert min(row[2] for row in changed).isoformat()[:7] == month  # months before are kept

    full = run_cli(home, "build", "--full")
    assert "全量" in said(full), said(full)
    assert kpi_rows(home) == after


@pytest.fixture
def project_copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "project"
    shutil.copytree(
        REPO_ROOT / "dbt", root / "dbt", ignore=shutil.ignore_patterns("target", "logs")
    )
    shutil.copytree(REPO_ROOT / "seeds", root / "seeds")
    monkeypatch.setenv("XIAOGE_DBT_PROJECT_DIR", str(root / "dbt"))
    return root


def test_without_new_files_nothing_month_incremental_is_recomputed(demo_home: Path):
    plan = plan_build(Home(demo_home))
    assert (plan.rebuild_from, plan.reason) == ("2025-07-01", "没有新文件")
    assert plan_build(Home(demo_home), full=True).rebuild_from is None


def test_a_changed_model_or_seed_makes_the_build_full(demo_home: Path, project_copy: Path):
    assert plan_build(Home(demo_home)).incremental  # an identical copy changes nothing
    seed = project_copy / "seeds" / "kpi_catalogue.csv"
    seed.write_text(seed.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    plan = plan_build(Home(demo_home))
    assert (plan.rebuild_from, plan.reason) == (None, "模型或种子数据已改变")
