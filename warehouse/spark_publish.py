"""Publishing a Spark build: its public marts and seeds, copied into a new DuckDB file.

The marts are small (KPIs and dimensions); the person-level and intermediate tables they were
computed from stay on the Spark side. The copy is then stamped, audited and published exactly
as a DuckDB build is (`warehouse.build.stamp_and_audit`, `warehouse.publish.publish`), so the
dashboards, `xiaoge kpi`, the exports, version history and rollback do not know which engine
computed the figures.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from warehouse.build import BuildResult, stamp_and_audit
from warehouse.config import PUBLISHED_DB_NAME, Home
from warehouse.duck import connect, quote_ident, sql_literal
from warehouse.errors import UserError
from warehouse.served import public_nodes
from warehouse.spark import SKIPPED_ON_SPARK, run_on_spark, spark_tables, start_spark_build

# The audit of a published build is on what is published: the data tests of the marts and
# seeds run on Spark, Great Expectations on the copied marts. The staging and intermediate
# models' data tests check tables that are never published (each would recompute its chain
# of views on Spark); the DuckDB build runs them.
UNPUBLISHED_DATA_TESTS = [
    "test_type:data,path:models/staging",
    "test_type:data,path:models/intermediate",
]


def build_for_publishing(
    home: Home, on_node: Callable[[str, int], None] | None = None
) -> BuildResult:
    """dbt build on Spark, the public tables copied into `build/spark/<id>/xiaoge.duckdb`,
    stamped and audited: ready for `publish`. Always a full build."""
    build_id, build_dir, env = start_spark_build(home)
    nodes = run_on_spark(
        home, build_id, build_dir, env, SKIPPED_ON_SPARK + UNPUBLISHED_DATA_TESTS, on_node
    )
    database = build_dir / PUBLISHED_DB_NAME
    copy_public_tables(build_dir, database)
    return stamp_and_audit(home, build_id, database, nodes, engine="spark")


def copy_public_tables(build_dir: Path, database: Path) -> list[str]:
    """Each public model and seed from its Spark table's Parquet files into `database`.

    A mart's columns take the types of its enforced contract, in the contract's order, so the
    file has the schema a DuckDB build gives; rows are sorted, so the file does not depend on
    how Spark split the table into files.
    """
    tables = spark_tables(build_dir)
    copied = []
    with connect(database) as con:
        for name, node in sorted(public_nodes(build_dir).items()):
            contract = {
                column: spec["data_type"]
                for column, spec in node.get("columns", {}).items()
                if spec.get("data_type")
            }
            parts = tables / name
            if any(parts.glob("*.parquet")):
                source = f"read_parquet({sql_literal(str(parts / '*.parquet'))})"
            elif contract:  # Spark writes no file for an empty table
                source = (
                    "(select "
                    + ", ".join(
                        f"null::{kind} as {quote_ident(column)}"
                        for column, kind in contract.items()
                    )
                    + " where false)"
                )
            else:
                raise UserError(f"Spark 构建缺少表 {name}:{parts} 里没有 Parquet 文件")
            columns = (
                ", ".join(
                    f"cast({quote_ident(column)} as {kind}) as {quote_ident(column)}"
                    for column, kind in contract.items()
                )
                if contract
                else "*"
            )
            con.execute(
                f"create table {quote_ident(name)} as select {columns} from {source} order by all"
            )
            copied.append(name)
        con.execute("checkpoint")
    return copied
