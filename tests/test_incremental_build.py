"""Incremental builds: only the months with new files are recomputed, and the figures are the
ones a full build computes from the same raw zone."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import duckdb
import pytest

from tests.conftest import CorrectedHome, run_cli
from warehouse.build_plan import plan_build, snapshot_history
from warehouse.config import REPO_ROOT, Home
from warehouse.generate import platform
from warehouse.served import served_build_database


def said(result) -> str:
    """What the command told the user, with the terminal's line wrapping undone."""
    return (result.stdout + result.stderr).replace("\n", "")


def kpi_rows(home: Path) -> list[tuple]:
    with duckdb.connect(str(home / "published" / "xiaoge.duckdb"), read_only=True) as con:
        return con.execute("select * from fct_kpi_monthly order by kpi_row_id").fetchall()


def test_a_late_correction_rebuilds_from_the_month_before_and_matches_a_full_build(
    demo_home: Path, corrected_home: CorrectedHome, tmp_path: Path
):
    month, _ = platform.CORRECTION  # the earliest of the corrected months
    assert "增量:自 2025-02 起重算" in corrected_home.build, corrected_home.build
    before, after = kpi_rows(demo_home), kpi_rows(corrected_home.home)
    changed = set(before) ^ set(after)
    assert changed, "the corrected incomes change the income KPIs"
    assert min(row[2] for row in changed).isoformat()[:7] == month  # months before are kept

    home = tmp_path / "home"
    shutil.copytree(corrected_home.home, home, symlinks=True)
    full = run_cli(home, "build", "--full")
    assert "全量" in said(full), said(full)
    assert kpi_rows(home) == after


def test_an_incremental_build_leaves_out_only_the_checks_of_the_project_itself(
    corrected_home: CorrectedHome,
):
    """Unit tests, seeds and the tests of seeds alone passed in the served build of the same
    project; every test that reads a model (a relationship to a code list included) runs."""
    target = served_build_database(Home(corrected_home.home)).parent / "target"
    ran = {
        result["unique_id"]
        for result in json.loads((target / "run_results.json").read_text())["results"]
    }
    tests = {
        unique_id: set(node["depends_on"]["nodes"])
        for unique_id, node in json.loads((target / "manifest.json").read_text())["nodes"].items()
        if node["resource_type"] == "test"
    }
    seeds_only = {
        test for test, parents in tests.items() if all(p.startswith("seed.") for p in parents)
    }
    reading_models = set(tests) - seeds_only
    assert len(seeds_only) > 50 and len(reading_models) > 200
    assert not seeds_only & ran
    assert reading_models <= ran
    assert any(p.startswith("seed.") for test in reading_models for p in tests[test])
    assert not [u for u in ran if u.startswith(("seed.", "unit_test."))]


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


def test_after_a_spark_version_the_next_build_is_full_and_keeps_the_snapshot_history(
    copy_of_demo_home: Path,
):
    """A version built on Spark serves marts only and keeps no snapshots: the next DuckDB
    build starts from the raw zone, and continues the registries' history from the newest
    DuckDB build still kept."""
    home = Home(copy_of_demo_home)
    with duckdb.connect(str(home.published_db), read_only=True) as con:
        duckdb_build = con.execute("select build_id from xiaoge_build").fetchone()[0]
    # a Spark version as `xiaoge build --target spark` leaves it: its own version folder and
    # record, its build database under build/spark/, the served file switched to it
    spark_build = "29991231T000000Z-5a4c"
    version = home.published / "versions" / spark_build
    version.mkdir()
    shutil.copyfile(home.published_db, version / "xiaoge.duckdb")
    with duckdb.connect(str(version / "xiaoge.duckdb")) as con:
        con.execute("update xiaoge_build set build_id = ?, engine = 'spark'", [spark_build])
    (version / "version.json").write_text(json.dumps({"build_id": spark_build}))
    shutil.copyfile(version / "xiaoge.duckdb", home.published / ".staged")
    (home.published / ".staged").replace(home.published_db)

    assert plan_build(home).reason == "已发布版本由 Spark 构建"
    assert not plan_build(home).incremental
    assert snapshot_history(home) == home.build / duckdb_build / "xiaoge.duckdb"
    with duckdb.connect(str(snapshot_history(home)), read_only=True) as con:
        tables = {r[0] for r in con.execute("show tables").fetchall()}
    assert {"snap_stations", "snap_party_orgs"} <= tables
