"""How `xiaoge` shows things: the stderr console and its progress bars and notices, JSON on
stdout, and the rich tables of the commands that report figures."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from rich import box
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn
from rich.table import Table

from warehouse import strict_json

if TYPE_CHECKING:
    import pandas as pd

    from warehouse.spark import SparkBuildResult

# Progress, notices and errors go to stderr; what a command reports goes to stdout.
console = Console(stderr=True)


def progress() -> Progress:
    return Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        console=console,
        transient=False,
    )


@contextmanager
def dbt_progress(label: str, prefix: str) -> Iterator[Callable[[str, int], None]]:
    """A progress bar over a dbt run's nodes; yields the callback dbt calls per finished node."""
    with progress() as bar:
        task = bar.add_task(label, total=None)

        def on_node(unique_id: str, total: int) -> None:
            name = unique_id.split(".")[2] if unique_id.count(".") >= 2 else unique_id
            bar.update(task, advance=1, total=total, description=f"{prefix}: {name}")

        yield on_node
        bar.update(task, description=f"{label} 完成")


def print_json(data: object) -> None:
    sys.stdout.write(strict_json.dumps(data, indent=2) + "\n")


def wait_notice(text: str) -> None:
    console.print(f"[yellow]{escape(text)}[/yellow]", soft_wrap=True, highlight=False)


def figure(value: float | None, hidden: bool) -> str:
    """A figure in a table: hidden by the disclosure-control gate "<5", missing "—"."""
    from warehouse.present.format import figure

    return figure(value, hidden)


def spark_comparison_table(result: SparkBuildResult) -> Table:
    """`xiaoge build --target spark`: per KPI, the rows on each engine and how they differ."""
    table = Table(
        title=f"Spark 与 DuckDB 的 KPI 对比(构建 {result.build_id})",
        box=box.SIMPLE_HEAD,
        padding=(0, 1),
    )
    table.add_column("kpi_id", no_wrap=True)
    for column in ("DuckDB 行", "Spark 行", "仅 DuckDB", "仅 Spark", "超出容差", "最大差"):
        table.add_column(column, justify="right")
    for kpi in result.kpis:
        style = "red" if kpi.differs else None
        table.add_row(
            kpi.kpi_id,
            str(kpi.rows_duckdb),
            str(kpi.rows_spark),
            str(kpi.only_duckdb),
            str(kpi.only_spark),
            str(kpi.beyond_tolerance),
            f"{kpi.max_abs_diff:.3g}",
            style=style,
        )
    return table


def pack_diff_table(month: str, changes: pd.DataFrame) -> Table:
    """`xiaoge export diff`: the changed KPI rows, the two versions' values last."""
    import pandas as pd

    old_label, new_label = changes.columns[-2], changes.columns[-1]
    table = Table(
        title=f"{month} {old_label} -> {new_label}:{changes['kpi_id'].nunique()} 个指标有变化"
    )
    for column in ("指标", "名称", "区域", "群体", "平台", old_label, new_label):
        table.add_column(column)
    for row in changes.itertuples(index=False):
        table.add_row(*("" if pd.isna(v) else str(v) for v in row))
    return table


def kpi_table(values: dict, scope: str, group: str | None) -> Table:
    """`xiaoge kpi`: each KPI's headline figure for the scope."""
    table = Table(title=f"{scope}(构建 {values['build_id']})")
    for column in ("指标", "名称", "数值", "单位", *(["群体"] if group else []), "三色状态"):
        table.add_column(column)
    for kpi_id, item in values["kpis"].items():
        cells = [kpi_id, item["name_zh"], figure(item["value"], item["suppressed"])]
        cells += [item["unit"] or "", *([item["group"] or "全部"] if group else [])]
        hidden = "不予显示" if item.get("status_suppressed") else "—"
        table.add_row(*cells, item.get("status_name_zh") or hidden)
    return table


def breakdown_table(values: dict, scope: str) -> Table:
    """`xiaoge kpi --breakdowns`' rows for people: one section per KPI, hidden figures "<5"."""
    table = Table(title=f"{scope} 分项(按区县、群体、平台)")
    for column in ("指标", "分项", "代码", "名称"):
        table.add_column(column)
    for column in ("数值", "分子", "分母"):
        table.add_column(column, justify="right")
    dimensions = {"district": "区县", "group": "群体", "platform": "平台"}
    for kpi_id, by_dimension in values["breakdowns"].items():
        rows = [(by, row) for by, found in by_dimension.items() for row in found]
        for index, (by, row) in enumerate(rows):
            table.add_row(
                kpi_id if index == 0 else "",
                dimensions[by],
                row["code"],
                row["name_zh"] or "",
                figure(row["value"], row["suppressed"]),
                figure(row["numerator"], row["numerator_suppressed"]),
                figure(row["denominator"], row["denominator_suppressed"]),
                end_section=index == len(rows) - 1,
            )
    return table


def print_status(report: dict, out: Console) -> None:
    """`xiaoge status`: the published version, a failed last build, the sources, held corrections."""
    published = report["published"]
    out.print(
        f"发布版本: {published['build_id']}({published['built_at']})"
        if published
        else "发布版本: 无"
    )
    if published and not published["is_newest_version"]:
        out.print("[yellow]当前发布的是回滚后的较早版本[/yellow]")
    last = report["last_build"]
    if last and last["status"] == "failed":
        out.print(
            f"[red]最近一次构建 {last['build_id']} 失败[/red]: {last['message']}", soft_wrap=True
        )
    table = Table(title="已导入的来源")
    for column in ("系统", "表", "文件", "入库行", "隔离行", "最近月份"):
        table.add_column(column)
    for source in report["sources"]:
        table.add_row(
            source["system"],
            source["table"],
            str(source["files"]),
            str(source["rows_accepted"]),
            str(source["rows_quarantined"]),
            source["last_month"],
        )
    out.print(table)
    for held in report["held"]:
        out.print(
            f"[yellow]暂缓的更正[/yellow] {escape(held['file_path'])}: 入库行 "
            f"{held['current_rows_accepted']} -> {held['rows_accepted']}:{escape(held['reason'])};"
            f"核对无误后运行 {escape(held['command'])}",
            soft_wrap=True,
            highlight=False,
        )
