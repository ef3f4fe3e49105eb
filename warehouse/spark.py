"""`xiaoge build --target spark`: the same dbt project on Apache Spark, published like DuckDB's.

dbt-spark runs the Spark driver in the dbt child process (`method: session`); the executors run
in local mode (`local[2]`, the default) or on a standalone cluster (`XIAOGE_SPARK_MASTER=
spark://host:port`). It reads the same Parquet raw zone as the DuckDB build and writes every
model as a Spark table stored as Parquet under `build/spark/<build_id>/warehouse/` (the catalog
that names them is the dbt process's own unless XIAOGE_SPARK_CATALOG=hive keeps a metastore).
Intermediate and person-level tables stay there.

Publishing (`warehouse.spark_publish`) copies the public marts and seeds into a new DuckDB
file that is audited and published like a DuckDB build. `--compare-only` publishes nothing:
the KPIs Spark produced (fct_kpi_monthly's Parquet files) are compared row by row with the
published DuckDB build's, which must have been built from the same raw files.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

from warehouse import ledger, strict_json
from warehouse.build import new_build_id, require_raw_data, run_dbt
from warehouse.config import Home
from warehouse.duck import connect, sql_literal
from warehouse.errors import UserError
from warehouse.served import served_build_database

DEFAULT_JAVA_HOME = "/usr/lib/jvm/java-17-openjdk-amd64"
SPARK_SCHEMA = "xiaoge"
KPI_TABLE = "fct_kpi_monthly"
KPI_GRAIN = ("kpi_id", "month_start", "area_level", "district_code", "group_code", "platform_code")
COMPARED = ("kpi_value", "numerator", "denominator")
# Same arithmetic, different engines: sums are added in another order and Spark divides
# decimals where DuckDB divides doubles, so values may differ in the last few digits.
# fct_kpi_monthly publishes six decimals; the engines may round a value's last digit apart
# (Spark rounds decimals half-up, DuckDB rounds doubles).
ABS_TOLERANCE = 1.000001e-6
REL_TOLERANCE = 1e-9
# Snapshots merge into their table, which Spark can do only for Delta/Iceberg/Hudi tables, and
# no mart reads them. A comparison build leaves the data tests out unless asked for: they check
# the same data the DuckDB build checked, and on Spark each one recomputes its chain of views
# (330 tests take about ten minutes on two cores, the models about one); the KPI comparison is
# the check that matters there. A publishing build runs the marts' (warehouse.spark_publish).
SKIPPED_ON_SPARK = ["resource_type:snapshot"]
SKIPPED_UNLESS_DATA_TESTS = ["test_type:data"]
KEEP_SPARK_BUILDS = 3


@dataclass(frozen=True)
class KpiComparison:
    """How one KPI's rows from Spark compare with the published DuckDB build's."""

    kpi_id: str
    rows_duckdb: int
    rows_spark: int
    only_duckdb: int
    only_spark: int
    beyond_tolerance: int
    max_abs_diff: float

    @property
    def differs(self) -> bool:
        return bool(self.only_duckdb or self.only_spark or self.beyond_tolerance)


@dataclass(frozen=True)
class SparkBuildResult:
    build_id: str
    build_dir: Path
    nodes: int
    kpis: list[KpiComparison]

    @property
    def differing(self) -> list[KpiComparison]:
        return [kpi for kpi in self.kpis if kpi.differs]


def spark_dir(home: Home) -> Path:
    """Where Spark builds go: `build/spark/<build_id>/` (never published, never pruned by DuckDB's)."""
    return home.build / "spark"


def spark_environment(home: Home, build_dir: Path) -> dict[str, str]:
    """Environment for the dbt child process: Java, and the local Spark folders of this build."""
    missing = [
        name
        for name, module in (("pyspark", "pyspark"), ("dbt-spark", "dbt.adapters.spark"))
        if _find_spec(module) is None
    ]
    if missing:
        raise UserError(
            f"未安装 {', '.join(missing)}:运行 pip install -e '.[spark]' 后再用 --target spark"
        )
    java_home = os.environ.get("JAVA_HOME") or DEFAULT_JAVA_HOME
    if not (Path(java_home) / "bin" / "java").exists():
        raise UserError(
            f"找不到 Java(JAVA_HOME={java_home}):安装 openjdk-17-jre-headless 或把 JAVA_HOME 设为 Java 17 的目录"
        )
    return {
        "JAVA_HOME": java_home,
        "XIAOGE_SPARK_DIR": str(build_dir),
        "XIAOGE_SPARK_SCHEMA": SPARK_SCHEMA,
        # executors read the raw zone by its URI, the one the ingest wrote to
        "XIAOGE_SPARK_RAW_DIR": os.environ.get("XIAOGE_SPARK_RAW_DIR") or home.raw_uri,
    }


def _find_spec(module: str) -> object | None:
    try:
        return importlib.util.find_spec(module)
    except ModuleNotFoundError:
        return None


def require_comparable_publish(home: Home) -> None:
    """The served DuckDB build must exist and be built from the raw files loaded now."""
    if served_build_database(home) is None:
        raise UserError("还没有已发布的 DuckDB 构建可以比较:先运行 xiaoge build")
    loaded = {(r["file_path"], r["checksum"]) for r in ledger.read(home) if r["status"] == "loaded"}
    with connect(home.published_db, read_only=True) as con:
        built_from = set(
            con.execute("select file_path, checksum from xiaoge_build_sources").fetchall()
        )
    if built_from != loaded:
        raise UserError(
            "已发布的构建不是由当前原始区构建的(之后又导入了文件):先运行 xiaoge build 再比较"
        )


def start_spark_build(home: Home) -> tuple[str, Path, dict[str, str]]:
    """A new Spark build's id, folder and environment (checked before the folder is made)."""
    require_raw_data(home)
    build_id = new_build_id()
    build_dir = spark_dir(home) / build_id
    env = spark_environment(home, build_dir)
    build_dir.mkdir(parents=True)
    return build_id, build_dir, env


def run_on_spark(
    home: Home,
    build_id: str,
    build_dir: Path,
    env: dict[str, str],
    excluded: list[str],
    on_node: Callable[[str, int], None] | None = None,
) -> int:
    """`dbt build` on Spark without the `excluded` nodes; the number of nodes that ran.
    Raises UserError when dbt fails."""
    nodes: list[str] = []

    def count(unique_id: str, total: int) -> None:
        nodes.append(unique_id)
        if on_node:
            on_node(unique_id, total)

    run = run_dbt(
        home,
        build_dir,
        ["build", "--exclude", *excluded],
        on_node=count,
        target="spark",
        extra_env=env,
    )
    if not run.success:
        _write_json(build_dir / "build.json", {"build_id": build_id, "status": "failed"})
        raise UserError(f"Spark 构建 {build_id} 失败:{run.failure()}")
    prune_spark_builds(home, build_id)
    return len(nodes)


def build_on_spark(
    home: Home, on_node: Callable[[str, int], None] | None = None, data_tests: bool = False
) -> SparkBuildResult:
    """`--compare-only`: dbt build on Spark, then compare its KPIs with the published DuckDB's.

    Raises UserError when dbt fails; differences are returned (the caller decides), and also
    written to `kpi_comparison.json` in the build folder.
    """
    require_comparable_publish(home)
    build_id, build_dir, env = start_spark_build(home)
    excluded = SKIPPED_ON_SPARK + ([] if data_tests else SKIPPED_UNLESS_DATA_TESTS)
    nodes = run_on_spark(home, build_id, build_dir, env, excluded, on_node)
    # the build database's KPIs: the served file's person counts are protected
    kpis = compare_kpis(
        kpi_parquet_dir(build_dir), served_build_database(home) or home.published_db
    )
    result = SparkBuildResult(build_id, build_dir, nodes, kpis)
    _write_json(
        build_dir / "kpi_comparison.json",
        {
            "build_id": build_id,
            "abs_tolerance": ABS_TOLERANCE,
            "rel_tolerance": REL_TOLERANCE,
            "differing": [k.kpi_id for k in result.differing],
            "kpis": [asdict(k) for k in kpis],
        },
    )
    return result


def spark_tables(build_dir: Path) -> Path:
    """The folder of a Spark build's tables: one folder of Parquet files per table."""
    return build_dir / "warehouse" / f"{SPARK_SCHEMA}.db"


def kpi_parquet_dir(build_dir: Path) -> Path:
    """The folder of Parquet files Spark stored fct_kpi_monthly in."""
    return spark_tables(build_dir) / KPI_TABLE


def compare_kpis(spark_parquet: Path, duckdb_file: Path) -> list[KpiComparison]:
    """Per KPI: rows on each side, rows only on one side, values beyond tolerance.

    Rows are matched on the table's grain (nulls match nulls); kpi_value, numerator and
    denominator must agree within ABS_TOLERANCE + REL_TOLERANCE * |DuckDB's value|.
    """
    if not any(spark_parquet.glob("*.parquet")):
        raise UserError(f"Spark 没有写出 {KPI_TABLE}({spark_parquet} 里没有 Parquet 文件)")
    on = " and ".join(f"duck.{c} is not distinct from spark.{c}" for c in KPI_GRAIN)
    beyond = " or ".join(
        f"not (duck.{c} is not distinct from spark.{c} or abs(duck.{c} - spark.{c}) "
        f"<= {ABS_TOLERANCE} + {REL_TOLERANCE} * abs(duck.{c}))"
        for c in COMPARED
    )
    query = f"""
        with
        duck as (select * from published.main.{KPI_TABLE}),
        spark as (select * from read_parquet({sql_literal(str(spark_parquet / "*.parquet"))})),
        matched as (
            select
                coalesce(duck.kpi_id, spark.kpi_id) as kpi_id,
                duck.kpi_id is not null as in_duck,
                spark.kpi_id is not null as in_spark,
                duck.kpi_id is not null and spark.kpi_id is not null and ({beyond}) as is_beyond,
                abs(duck.kpi_value - spark.kpi_value) as value_diff
            from duck
            full outer join spark on {on}
        )
        select
            kpi_id,
            count(*) filter (where in_duck) as rows_duckdb,
            count(*) filter (where in_spark) as rows_spark,
            count(*) filter (where in_duck and not in_spark) as only_duckdb,
            count(*) filter (where in_spark and not in_duck) as only_spark,
            count(*) filter (where is_beyond) as beyond_tolerance,
            coalesce(max(value_diff), 0) as max_abs_diff
        from matched
        group by kpi_id
        order by kpi_id
    """
    with connect() as con:
        con.execute(f"attach {sql_literal(str(duckdb_file))} as published (read_only)")
        rows = con.execute(query).fetchall()
    return [
        KpiComparison(kpi_id, int(a), int(b), int(c), int(d), int(e), float(f))
        for kpi_id, a, b, c, d, e, f in rows
    ]


def _write_json(path: Path, data: dict) -> None:
    path.write_text(strict_json.dumps(data, indent=2), encoding="utf-8")


def prune_spark_builds(home: Home, current: str, keep: int = KEEP_SPARK_BUILDS) -> None:
    """Keep the newest `keep` Spark build folders, whole. A published
    Spark build lives on as its version under published/versions/."""
    root = spark_dir(home)
    builds = sorted((p for p in root.iterdir() if p.is_dir()), key=lambda p: p.name, reverse=True)
    for path in builds[keep:]:
        if path.name != current:
            shutil.rmtree(path, ignore_errors=True)
