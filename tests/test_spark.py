"""The dbt project on Apache Spark (dbt-spark, session method) gives DuckDB's KPIs: built on a
standalone cluster and published like a DuckDB build; the comparison --compare-only makes."""

from __future__ import annotations

import importlib.util
import math
import os
import shutil
import time
from collections.abc import Iterator
from pathlib import Path

import duckdb
import numpy as np
import openpyxl
import pandas as pd
import pytest

from tests.conftest import kpi_json, run_cli
from tests.spark_cluster import Cluster, standalone_cluster
from warehouse.build_plan import plan_build
from warehouse.config import Home
from warehouse.kpis import kpi_values
from warehouse.published import available_months, query
from warehouse.spark import (
    ABS_TOLERANCE,
    DEFAULT_JAVA_HOME,
    REL_TOLERANCE,
    compare_kpis,
    kpi_parquet_dir,
)

APP = str(Path(__file__).resolve().parents[1] / "dashboards" / "app.py")


def _spark_missing() -> str | None:
    if importlib.util.find_spec("pyspark") is None:
        return "pyspark is not installed (pip install -e '.[spark]')"
    java_home = os.environ.get("JAVA_HOME") or DEFAULT_JAVA_HOME
    if not (Path(java_home) / "bin" / "java").exists():
        return f"no Java at {java_home}"
    return None


SPARK_MISSING = _spark_missing()
# what says which build a figure came from, not what the figure is
BUILD_KEYS = {"build_id", "built_at", "engine"}


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    """A standalone master and one worker (2 cores, 1.5 GB), each a JVM of its own."""
    if SPARK_MISSING:
        pytest.skip(SPARK_MISSING)
    with standalone_cluster(tmp_path_factory.mktemp("spark-cluster")) as running:
        yield running
    for pid in running.pids:  # stopped, by their PIDs
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)


def assert_same_figures(spark, duck, where: str = "") -> None:
    """Equal, key by key, except build ids and numbers within the engines' tolerance."""
    if isinstance(duck, dict):
        assert isinstance(spark, dict), where
        assert set(spark) == set(duck), where
        for key in set(duck) - BUILD_KEYS:
            assert_same_figures(spark[key], duck[key], f"{where}/{key}")
    elif isinstance(duck, list):
        assert isinstance(spark, list) and len(spark) == len(duck), where
        for index, (a, b) in enumerate(zip(spark, duck, strict=True)):
            assert_same_figures(a, b, f"{where}[{index}]")
    elif isinstance(duck, float) or isinstance(spark, float):
        assert spark is not None and duck is not None, where
        assert math.isclose(spark, duck, rel_tol=REL_TOLERANCE, abs_tol=ABS_TOLERANCE), where
    else:
        assert spark == duck, where


def served_tables(home: Path) -> dict[str, pd.DataFrame]:
    """Every table of the served file (marts, seeds, the disclosure and audit records), its
    rows in a fixed order; the build's own record (id, time, engine) left out."""
    with duckdb.connect(str(home / "published" / "xiaoge.duckdb"), read_only=True) as con:
        names = [
            r[0] for r in con.execute("select table_name from information_schema.tables").fetchall()
        ]
        return {
            name: con.execute(f"select * from {name} order by all").df()
            for name in sorted(names)
            if name != "xiaoge_build"
        }


def assert_same_tables(spark: dict[str, pd.DataFrame], duck: dict[str, pd.DataFrame]) -> None:
    """The same tables, columns, types, rows and hidden cells; numbers within tolerance."""
    assert sorted(spark) == sorted(duck)
    for name, expected in duck.items():
        found = spark[name]
        assert list(found.columns) == list(expected.columns), name
        assert list(found.dtypes) == list(expected.dtypes), name
        assert len(found) == len(expected), name
        for column in expected.columns:
            if pd.api.types.is_float_dtype(expected[column]):
                assert np.allclose(
                    found[column], expected[column],
                    rtol=REL_TOLERANCE, atol=ABS_TOLERANCE, equal_nan=True,
                ), f"{name}.{column}"  # fmt: skip
            else:
                assert found[column].equals(expected[column]), f"{name}.{column}"


def figures(home: Path) -> dict:
    """`xiaoge kpi --json --breakdowns` for every month: each KPI city-wide and by district,
    group and platform (the latest month through the CLI, the others in-process, which is
    what the CLI prints); and each district's own figures for the latest month."""
    served = Home(home)
    figures = {"city": kpi_json(home, "--breakdowns")}
    for month in available_months(served)[:-1]:
        figures[month] = kpi_values(served, month, breakdowns=True)
    for code in query(served, "select district_code from dim_district order by 1")["district_code"]:
        figures[code] = kpi_values(served, district=code)
    return figures


@pytest.mark.timeout(2400)
def test_a_build_on_a_standalone_cluster_is_published_like_duckdbs(
    copy_of_demo_home: Path, cluster: Cluster, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    home = copy_of_demo_home
    # the raw zone on "shared storage" outside the home, named by a URI, as on a cluster
    shared = tmp_path / "shared" / "raw"
    shared.parent.mkdir()
    shutil.move(home / "raw", shared)
    monkeypatch.setenv("XIAOGE_RAW_URI", shared.as_uri())
    monkeypatch.setenv("XIAOGE_SPARK_MASTER", cluster.master_url)
    monkeypatch.setenv("SPARK_LOCAL_IP", "127.0.0.1")
    duck = figures(home)
    duck_tables = served_tables(home)

    started = time.monotonic()
    result = run_cli(home, "build", "--target", "spark", timeout=2400)
    print(f"xiaoge build --target spark on the cluster took {time.monotonic() - started:.0f} s")
    assert "已发布 Spark 构建" in result.stderr, result.stderr

    # the work ran in executors the worker started, not in the driver
    (app,) = [a for a in cluster.master()["completedapps"] if a["name"] == "xiaoge-dbt"]
    executors = [e for e in cluster.worker()["finishedexecutors"] if e["appid"] == app["id"]]
    assert executors, cluster.worker()
    logs = [cluster.worker_dir / app["id"] / str(e["id"]) / "stderr" for e in executors]
    assert any("Finished task" in log.read_text() for log in logs if log.exists())

    # published: the served file is the Spark build's, and says so
    spark = figures(home)
    assert spark["city"]["engine"] == "spark" and duck["city"]["engine"] == "duckdb"
    duck_version, spark_version = duck["city"]["build_id"], spark["city"]["build_id"]
    assert spark_version != duck_version
    assert len(duck) > 13 and len(duck["city"]["breakdowns"]) > 0
    assert_same_figures(spark, duck)
    # every KPI, month and district (and every other served row) the same, the same cells hidden
    assert_same_tables(served_tables(home), duck_tables)
    # the intermediate and person-level tables stayed on the Spark side
    tables = set(
        query(Home(home), "select table_name from information_schema.tables")["table_name"]
    )
    assert "fct_kpi_monthly" in tables
    assert not {t for t in tables if t.startswith(("stg_", "int_"))}
    # what --compare-only checks: the Spark tables' KPIs against the DuckDB build database
    (spark_build,) = (home / "build" / "spark").iterdir()
    compared = compare_kpis(
        kpi_parquet_dir(spark_build), home / "build" / duck_version / "xiaoge.duckdb"
    )
    kpis = query(Home(home), "select count(*) as n from dim_kpi")["n"].iloc[0]
    assert len(compared) == kpis and not [k.kpi_id for k in compared if k.differs]
    # ... and refuses, before starting Spark, when no DuckDB build is served to compare with
    refused = run_cli(home, "build", "--target", "spark", "--compare-only", check=False)
    assert refused.returncode == 1 and "还没有已发布的 DuckDB 构建可以比较" in refused.stderr
    assert len(list((home / "build" / "spark").iterdir())) == 1
    # a DuckDB build after it starts from the raw zone, not from the Spark file
    assert plan_build(Home(home)).reason == "已发布版本由 Spark 构建"
    assert not (home / "raw").exists()

    # the overview renders from it
    from streamlit.testing.v1 import AppTest

    monkeypatch.setenv("XIAOGE_HOME", str(home))
    page = AppTest.from_file(APP, default_timeout=60).run()
    assert not page.exception
    assert next(m for m in page.metric if m.label == "党组织数").value == "50个"

    # the exports read it too, and the workbook names the engine
    run_cli(home, "export", "--month", "2024-06")
    book = openpyxl.load_workbook(home / "exports" / "2024-06" / "v1" / "kpis.xlsx")
    notes = {row[0]: row[1] for row in book["元数据"].iter_rows(values_only=True)}
    assert notes["计算引擎"] == "Apache Spark"
    assert notes["构建编号"] == spark_version

    # rollback goes across engines, both ways
    run_cli(home, "rollback", duck_version)
    assert kpi_json(home, "--breakdowns") == duck["city"]
    run_cli(home, "rollback", spark_version)
    assert kpi_json(home, "--breakdowns") == spark["city"]


def test_comparison_reports_each_kpi_that_differs(tmp_path: Path) -> None:
    published = tmp_path / "published.duckdb"
    with duckdb.connect(str(published)) as con:
        con.execute(
            """
            create table fct_kpi_monthly as
            select * from (values
                ('a', date '2025-01-01', 'city', null, null, null, 0.5, 1.0, 2.0),
                ('a', date '2025-01-01', 'district', '330102', null, null, 0.25, 1.0, 4.0),
                ('b', date '2025-01-01', 'city', null, 'delivery', null, 3.0, null, null),
                ('c', date '2025-01-01', 'city', null, null, 'meituan', 1.0, null, null)
            ) as t(kpi_id, month_start, area_level, district_code, group_code, platform_code,
                   kpi_value, numerator, denominator)
            """
        )
        spark_dir = tmp_path / "spark"
        spark_dir.mkdir()
        con.execute(
            f"""
            copy (
                select * replace (
                    case when kpi_id = 'b' then kpi_value + 1e-4
                         when kpi_id = 'a' then kpi_value + 1e-12 else kpi_value end as kpi_value
                )
                from fct_kpi_monthly where kpi_id != 'c'
                union all
                select 'c', date '2025-02-01', 'city', null, null, 'meituan', 1.0, null, null
            ) to '{spark_dir}/part-0.parquet' (format parquet)
            """
        )
    found = {k.kpi_id: k for k in compare_kpis(spark_dir, published)}
    assert not found["a"].differs  # within tolerance
    assert found["b"].beyond_tolerance == 1
    assert (found["c"].only_duckdb, found["c"].only_spark) == (1, 1)


def test_unknown_build_target_is_one_line(fresh_home: Path) -> None:
    result = run_cli(fresh_home, "build", "--target", "oracle", check=False)
    assert result.returncode == 1
    assert "duckdb 或 spark" in result.stderr
    assert "Traceback" not in result.stderr
