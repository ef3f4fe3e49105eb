"""The dbt project on Apache Spark (dbt-spark, session method, local mode) gives DuckDB's KPIs."""

from __future__ import annotations

import importlib.util
import os
import time
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest

from tests.conftest import run_cli
from warehouse.config import Home
from warehouse.served import served_build_database
from warehouse.spark import DEFAULT_JAVA_HOME, compare_kpis

GRAIN = ["kpi_id", "month_start", "area_level", "district_code", "group_code", "platform_code"]
VALUES = ["kpi_value", "numerator", "denominator"]


def _spark_missing() -> str | None:
    if importlib.util.find_spec("pyspark") is None:
        return "pyspark is not installed (pip install -e '.[spark]')"
    java_home = os.environ.get("JAVA_HOME") or DEFAULT_JAVA_HOME
    if not (Path(java_home) / "bin" / "java").exists():
        return f"no Java at {java_home}"
    return None


def _kpis(frame: pd.DataFrame) -> pd.DataFrame:
    keyed = frame[GRAIN + VALUES].copy()
    keyed["month_start"] = pd.to_datetime(keyed["month_start"])
    for column in GRAIN:
        if column != "month_start":
            keyed[column] = keyed[column].fillna("")
    return keyed.set_index(GRAIN).sort_index()


@pytest.mark.timeout(1800)
@pytest.mark.skipif(_spark_missing() is not None, reason=str(_spark_missing()))
def test_spark_build_gives_the_published_kpis(copy_of_demo_home: Path) -> None:
    home = copy_of_demo_home
    served = home / "published" / "xiaoge.duckdb"
    before = (served.stat().st_ino, served.stat().st_mtime_ns)
    versions_before = sorted(p.name for p in (home / "published" / "versions").iterdir())

    started = time.monotonic()
    result = run_cli(home, "build", "--target", "spark", timeout=1800)
    print(f"xiaoge build --target spark took {time.monotonic() - started:.0f} s")
    assert "一致" in result.stderr

    (build_dir,) = (home / "build" / "spark").iterdir()
    spark_table = build_dir / "warehouse" / "xiaoge.db" / "fct_kpi_monthly"
    assert any(spark_table.glob("*.parquet")), "the mart is a Spark table stored as Parquet"
    spark = _kpis(duckdb.sql(f"select * from read_parquet('{spark_table}/*.parquet')").df())
    # the build database behind the served file: its person counts are not yet protected
    with duckdb.connect(str(served_build_database(Home(home))), read_only=True) as con:
        duck = _kpis(con.execute("select * from fct_kpi_monthly").df())

    # every KPI and month on both sides, and nothing else
    assert len(duck) > 0
    assert spark.index.equals(duck.index)
    assert not spark.index.duplicated().any()
    for column in VALUES:
        assert np.allclose(
            spark[column].astype(float),
            duck[column].astype(float),
            rtol=1e-9,
            atol=1.000001e-6,  # published to six decimals; the last may round apart
            equal_nan=True,
        ), column

    # nothing published, the served file untouched
    assert (served.stat().st_ino, served.stat().st_mtime_ns) == before
    assert sorted(p.name for p in (home / "published" / "versions").iterdir()) == versions_before


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
