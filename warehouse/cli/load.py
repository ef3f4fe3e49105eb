"""Loading source files: `xiaoge generate` writes demo landing files, `xiaoge ingest` checks
and loads landing files into the raw zone, and applies or takes back a re-delivery."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from warehouse.cli.options import FirstMonthOption, LastMonthOption, Scale, ScaleOption
from warehouse.cli.render import console, progress, wait_notice
from warehouse.config import Home, home
from warehouse.errors import UserError


def generate(
    out: Annotated[Path, typer.Option(help="folder to write the landing files into")],
    scale: ScaleOption = Scale.small,
    seed: Annotated[
        int, typer.Option(help="random seed; the same seed gives the same bytes")
    ] = 20250801,
    start: FirstMonthOption = "2023-01",
    end: LastMonthOption = "2025-06",
) -> None:
    """Write deterministic synthetic landing files, one folder per system and month."""
    from warehouse.published import month_start

    if month_start(start) > month_start(end):
        raise UserError(f"--start {start} 晚于 --end {end}")
    where, target = home(), out.resolve()
    if target == where.root or where.root in target.parents:
        where.ensure()  # the home's folders and group first: what is generated inherits them
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UserError(f"无法创建输出目录 {out}({exc.strerror})") from None
    generate_files(out, scale, seed, start, end)


def ingest(
    paths: Annotated[
        list[Path] | None, typer.Argument(help="files or folders; default: all of landing/")
    ] = None,
    accept: Annotated[
        Path | None,
        typer.Option(
            "--accept-correction",
            metavar="FILE",
            help="apply this held correction (a re-delivery that would lose rows), as checked",
        ),
    ] = None,
    revert: Annotated[
        Path | None,
        typer.Option(
            "--revert",
            metavar="FILE",
            help="make this file's previous delivery current again (the current one is kept)",
        ),
    ] = None,
) -> None:
    """Check landing files against their contracts and load them into the raw zone.

    A re-delivery that would lose rows (accepted rows down by more than 20%, or more than 20% of its rows quarantined: XIAOGE_CORRECTION_MAX_DROP, XIAOGE_CORRECTION_MAX_QUARANTINE) is held, not applied: exit code 2 and the command that applies it.
    """
    chosen = [
        flag for flag, value in (("--accept-correction", accept), ("--revert", revert)) if value
    ]
    if chosen and (paths or len(chosen) > 1):
        raise UserError(f"{chosen[0]} 只能单独使用:一次给一个文件,不要同时给出其他文件或选项")
    if accept is not None:
        _accept_correction(home(), accept)
    elif revert is not None:
        _revert(home(), revert)
    else:
        ingest_files(home(), paths or None)


# --- the steps, shared with `xiaoge demo` ---------------------------------------------------


def generate_files(out: Path, scale: Scale, seed: int, start: str, end: str) -> list[Path]:
    from warehouse.generate import generate

    with console.status(f"生成 {scale} 规模的演示数据 {start} 至 {end} ..."):
        written = generate(out, scale=scale.value, seed=seed, start=start, end=end)
    console.print(f"已生成 {len(written)} 个落地文件 -> {out}")
    return written


def ingest_files(where: Home, paths: list[Path] | None) -> None:
    from warehouse.homelock import timeout_seconds
    from warehouse.ingest import correction_limits, discover, ingest

    # a bad setting is one line, before any progress is shown
    correction_limits()
    timeout_seconds()
    total = len(discover(where.ensure(), paths))
    with progress() as bar:
        task = bar.add_task("导入落地文件", total=total)
        report = ingest(
            where, paths, on_file=lambda _result: bar.advance(task), on_wait=wait_notice
        )
    for refused in report.refused:
        console.print(f"[red]拒收[/red] {refused.path}: {refused.message}", soft_wrap=True)
    for held in report.held:
        console.print(
            f"[yellow]暂缓[/yellow] {escape(held.path)}: {escape(held.message)}",
            soft_wrap=True,
            highlight=False,
        )
    loaded = [r for r in report.results if r.status == "loaded"]
    console.print(
        f"导入 {len(loaded)} 个文件({sum(r.rows_accepted for r in loaded)} 行入库,"
        f"{sum(r.rows_quarantined for r in loaded)} 行隔离),跳过 {report.count('skipped')} 个已导入文件,"
        f"拒收 {len(report.refused)} 个"
        + (f",暂缓 {len(report.held)} 个更正" if report.held else "")
    )
    if report.refused or report.held:
        raise typer.Exit(code=2)


def _accept_correction(where: Home, file: Path) -> None:
    from warehouse.ingest import accept_correction

    result = accept_correction(where, file, on_wait=wait_notice)
    console.print(
        f"已应用暂缓的更正 {escape(result.path)}:入库行 {result.rows_accepted_before} -> "
        f"{result.rows_accepted}(隔离 {result.rows_quarantined} 行),导入台账记为操作员确认;"
        "运行 xiaoge build 更新指标",
        soft_wrap=True,
        highlight=False,
    )


def _revert(where: Home, file: Path) -> None:
    from warehouse.ingest import revert

    done = revert(where, file, on_wait=wait_notice)
    back, restored = done.taken_back, done.restored
    console.print(
        f"已撤回 {escape(done.file_path)} 的当前版本(入库 {back['rows_accepted']} 行),"
        f"恢复上一版(入库 {restored['rows_accepted']} 行,导入于 {restored['ingested_at']});"
        "运行 xiaoge build 更新指标",
        soft_wrap=True,
        highlight=False,
    )
