"""Building: `xiaoge build` (dbt build, audit and publish, on DuckDB or on Spark; or a
comparison build on Spark) and `xiaoge rollback`, under the home's lock so no ingest runs meanwhile."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Annotated

import typer

from warehouse.cli.options import BUILD_ID, BuildTarget, BuildTargetOption
from warehouse.cli.render import console, dbt_progress, spark_comparison_table, wait_notice
from warehouse.config import Home, home
from warehouse.errors import UserError

if TYPE_CHECKING:
    from warehouse.build import BuildResult


def build(
    target: BuildTargetOption = BuildTarget.duckdb,
    compare_only: Annotated[
        bool,
        typer.Option(
            help="with --target spark: publish nothing, only compare Spark's KPIs with the "
            "published DuckDB build's"
        ),
    ] = False,
    data_tests: Annotated[
        bool,
        typer.Option(
            help="with --compare-only: also run the staging and intermediate data tests on Spark (slow)"
        ),
    ] = False,
    full: Annotated[
        bool,
        typer.Option(
            help="recompute every month (default: only months with new files, when the models are unchanged)"
        ),
    ] = False,
) -> None:
    """dbt build into a new database, check it, and publish it if it passes.

    After a first build, a build is incremental: the person-month facts and the KPIs over
    them are recomputed only from the month before the earliest month with new files.

    With --target spark the same dbt project runs on Apache Spark (local mode, or the
    standalone cluster XIAOGE_SPARK_MASTER names), always in full; its public marts are copied
    into a DuckDB file that is audited and published the same way. --compare-only publishes
    nothing and compares Spark's KPIs with the published DuckDB build's.
    """
    if target is BuildTarget.spark and compare_only:
        with exclusive(home(), "build"):
            _compare_on_spark(home(), data_tests)
    elif target is BuildTarget.spark:
        with exclusive(home(), "build"):
            _build_on_spark_and_publish(home())
    else:
        build_and_publish(home(), full)


def rollback(
    build_id: Annotated[
        str | None,
        typer.Argument(help="version to serve; default: the previous one", callback=BUILD_ID),
    ] = None,
) -> None:
    """Serve an earlier published version again."""
    from warehouse.publish import rollback as do_rollback

    restored = do_rollback(home(), build_id)
    console.print(f"已回滚,当前发布版本 {restored}")


@contextmanager
def exclusive(where: Home, what: str) -> Iterator[None]:
    """Hold the home's lock (waiting, with a notice, while another ingest or build runs) and
    finish any ingest that was killed half-way, so a build reads what the ledger says."""
    from warehouse import homelock
    from warehouse.ingest import recover

    with homelock.exclusive(where, what, on_wait=wait_notice) as lock:
        recover(where, lock)
        yield


def build_and_publish(where: Home, full: bool = False) -> str:
    """The DuckDB build and its publication (shared with `xiaoge demo`)."""
    from warehouse.build import require_raw_data

    require_raw_data(where)
    with exclusive(where, "build"):  # no ingest changes the raw zone while dbt reads it
        return _build_and_publish_locked(where, full)


def _build_and_publish_locked(where: Home, full: bool) -> str:
    from warehouse.build import build

    with dbt_progress("dbt build", "dbt build") as on_node:
        result = build(where, on_node=on_node, full=full)
    return _publish(where, result)


def _build_on_spark_and_publish(where: Home) -> str:
    from warehouse.spark_publish import build_for_publishing

    with dbt_progress("dbt build (Spark)", "Spark") as on_node:
        result = build_for_publishing(where, on_node=on_node)
    return _publish(where, result, engine=" Spark ")


def _publish(where: Home, result: BuildResult, engine: str = "") -> str:
    """Publish a built and audited build, and say what was published."""
    from warehouse.publish import publish
    from warehouse.published import versions

    with console.status("发布:人数统计的保护(小单元格及可推算的单元格不公布)计算中…"):
        disclosure = publish(where, result)
    # as published: a warning about people only where the served figures show them
    audit = next(v["audit"] for v in versions(where) if v["build_id"] == result.build_id)
    warnings = [f["message"] for f in audit["findings"] if f["severity"] == "warning"]
    for warning in warnings:
        console.print(f"[yellow]审计警告[/yellow] {warning}", soft_wrap=True, highlight=False)
    scope = f"增量:自 {result.rebuilt_from[:7]} 起重算" if result.rebuilt_from else "全量"
    console.print(
        f"已发布{engine}构建 {result.build_id}({scope};{result.nodes} 个 dbt 节点通过,"
        f"审计警告 {len(warnings)} 个)"
    )
    console.print(
        f"人数保护:{disclosure['cells']:,} 个人数单元格中 {disclosure['hidden_cells']:,} 个不公布"
        f"({disclosure['hidden_share']:.1%},其中人数少于 {disclosure['threshold']} 的 "
        f"{disclosure['primary_cells']:,} 个)"
    )
    return result.build_id


def _compare_on_spark(where: Home, data_tests: bool = False) -> None:
    from warehouse.spark import ABS_TOLERANCE, REL_TOLERANCE, build_on_spark

    with dbt_progress("dbt build (Spark)", "Spark") as on_node:
        result = build_on_spark(where, on_node=on_node, data_tests=data_tests)
    console.print(spark_comparison_table(result))
    if result.differing:
        first = result.differing[0]
        raise UserError(
            f"Spark 的 KPI 与 DuckDB 不一致:{len(result.differing)} 个指标超出容差"
            f"(首个 {first.kpi_id}:仅 DuckDB {first.only_duckdb} 行,仅 Spark {first.only_spark} 行,"
            f"超出容差 {first.beyond_tolerance} 行;详见 {result.build_dir / 'kpi_comparison.json'})"
        )
    rows = sum(kpi.rows_spark for kpi in result.kpis)
    console.print(
        f"Spark 构建 {result.build_id} 与已发布的 DuckDB 一致:{len(result.kpis)} 个指标、{rows} 行,"
        f"容差 {ABS_TOLERANCE:g} + {REL_TOLERANCE:g}×|值|;未发布任何内容"
        f"({result.nodes} 个 dbt 节点,表在 {result.build_dir / 'warehouse'})"
    )
