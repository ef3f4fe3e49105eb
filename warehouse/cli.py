"""The `xiaoge` command: generate, ingest, build, export, serve and inspect the warehouse."""

from __future__ import annotations

import os
import socket
import sys
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer
from rich import box
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn
from rich.table import Table

from warehouse import __version__, names, strict_json
from warehouse.config import DASHBOARD_APP, REPO_ROOT, Home, home, restrict_new_files
from warehouse.errors import UserError

app = typer.Typer(
    help="小哥友好城市 指标仓: load the monthly source files, build and publish the KPIs, serve the dashboards.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
console = Console(stderr=True)
DEFAULT_PORT = 8501


def _progress() -> Progress:
    return Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        console=console,
        transient=False,
    )


def _print_json(data: object) -> None:
    sys.stdout.write(strict_json.dumps(data, indent=2) + "\n")


def _checked(
    validate: Callable[[str, str], object],
) -> Callable[[typer.CallbackParam, str | None], str | None]:
    """A typer callback checking an option's value with one of warehouse.names' patterns, so
    every command refuses the same malformed names (a path where a name belongs) the same way."""

    def callback(param: typer.CallbackParam, value: str | None) -> str | None:
        if value is not None:
            argument = param.param_type_name == "argument"
            field = (param.name or "").upper() if argument else "/".join(param.opts)
            if param.envvar:
                field += f"/{param.envvar}"
            validate(value, field)
        return value

    return callback


MONTH = _checked(names.month)
VERSION = _checked(names.version)
DISTRICT = _checked(names.district)
GROUP = _checked(names.group)
BUILD_ID = _checked(names.build_id)
USER = _checked(names.user)


# --- steps shared by the commands and `demo` ------------------------------------------------


def _generate(out: Path, scale: str, seed: int, start: str, end: str) -> list[Path]:
    from warehouse.generate import generate

    with console.status(f"生成 {scale} 规模的演示数据 {start} 至 {end} ..."):
        written = generate(out, scale=scale, seed=seed, start=start, end=end)
    console.print(f"已生成 {len(written)} 个落地文件 -> {out}")
    return written


def _wait_notice(text: str) -> None:
    console.print(f"[yellow]{escape(text)}[/yellow]", soft_wrap=True, highlight=False)


@contextmanager
def _exclusive(where: Home, what: str) -> Iterator[None]:
    """Hold the home's lock (waiting, with a notice, while another ingest or build runs) and
    finish any ingest that was killed half-way, so a build reads what the ledger says."""
    from warehouse.homelock import exclusive
    from warehouse.ingest import recover

    with exclusive(where, what, on_wait=_wait_notice) as lock:
        recover(where, lock)
        yield


def _ingest(where: Home, paths: list[Path] | None) -> None:
    from warehouse.homelock import timeout_seconds
    from warehouse.ingest import correction_limits, discover, ingest

    # a bad setting is one line, before any progress is shown
    correction_limits()
    timeout_seconds()
    total = len(discover(where.ensure(), paths))
    with _progress() as progress:
        task = progress.add_task("导入落地文件", total=total)
        report = ingest(
            where, paths, on_file=lambda _result: progress.advance(task), on_wait=_wait_notice
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

    result = accept_correction(where, file, on_wait=_wait_notice)
    console.print(
        f"已应用暂缓的更正 {escape(result.path)}:入库行 {result.rows_accepted_before} -> "
        f"{result.rows_accepted}(隔离 {result.rows_quarantined} 行),导入台账记为操作员确认;"
        "运行 xiaoge build 更新指标",
        soft_wrap=True,
        highlight=False,
    )


def _revert(where: Home, file: Path) -> None:
    from warehouse.ingest import revert

    done = revert(where, file, on_wait=_wait_notice)
    back, restored = done.taken_back, done.restored
    console.print(
        f"已撤回 {escape(done.file_path)} 的当前版本(入库 {back['rows_accepted']} 行),"
        f"恢复上一版(入库 {restored['rows_accepted']} 行,导入于 {restored['ingested_at']});"
        "运行 xiaoge build 更新指标",
        soft_wrap=True,
        highlight=False,
    )


def _build_and_publish(where: Home, full: bool = False) -> str:
    from warehouse.build import require_raw_data

    require_raw_data(where)
    with _exclusive(where, "build"):  # no ingest changes the raw zone while dbt reads it
        return _build_and_publish_locked(where, full)


def _build_and_publish_locked(where: Home, full: bool) -> str:
    from warehouse.build import build
    from warehouse.publish import publish, versions

    with _progress() as progress:
        task = progress.add_task("dbt build", total=None)

        def on_node(unique_id: str, total: int) -> None:
            name = unique_id.split(".")[2] if unique_id.count(".") >= 2 else unique_id
            progress.update(task, advance=1, total=total, description=f"dbt build: {name}")

        result = build(where, on_node=on_node, full=full)
        progress.update(task, description="dbt build 完成")
    with console.status("发布:人数统计的保护(小单元格及可推算的单元格不公布)计算中…"):
        disclosure = publish(where, result)
    # as published: a warning about people only where the served figures show them
    audit = next(v["audit"] for v in versions(where) if v["build_id"] == result.build_id)
    warnings = [f["message"] for f in audit["findings"] if f["severity"] == "warning"]
    for warning in warnings:
        console.print(f"[yellow]审计警告[/yellow] {warning}", soft_wrap=True, highlight=False)
    scope = f"增量:自 {result.rebuilt_from[:7]} 起重算" if result.rebuilt_from else "全量"
    console.print(
        f"已发布构建 {result.build_id}({scope};{result.nodes} 个 dbt 节点通过,"
        f"审计警告 {len(warnings)} 个)"
    )
    console.print(
        f"人数保护:{disclosure['cells']:,} 个人数单元格中 {disclosure['hidden_cells']:,} 个不公布"
        f"({disclosure['hidden_share']:.1%},其中人数少于 {disclosure['threshold']} 的 "
        f"{disclosure['primary_cells']:,} 个)"
    )
    return result.build_id


def _export(
    where: Home, month: str | None, district: str | None, as_user: str | None = None
) -> None:
    from warehouse.access import viewer_for
    from warehouse.export import export

    viewer = viewer_for(as_user, where) if as_user else None
    with console.status("导出月度指标包 ...") as spinner:
        outcome = export(
            where,
            month=month,
            district=district,
            on_step=lambda text: spinner.update(text),
            viewer=viewer,
        )
    console.print(outcome.message)


# --- commands -------------------------------------------------------------------------------


@app.command()
def demo(
    scale: Annotated[
        str, typer.Option(help="small (tests, seconds) or city (Hangzhou size)")
    ] = "small",
    serve_after: Annotated[
        bool, typer.Option("--serve/--no-serve", help="serve the dashboard at the end")
    ] = True,
    port: Annotated[int, typer.Option(help="dashboard port")] = DEFAULT_PORT,
) -> None:
    """Generate demo data, ingest, build, publish, export the last month, then serve."""
    from warehouse.generate import DEFAULT_END, DEFAULT_SEED, DEFAULT_START

    _check_scale(scale)
    where = home().ensure()
    if serve_after:
        _check_port(port)
    _ensure_pii_key(where)
    written = _generate(where.landing, scale, DEFAULT_SEED, DEFAULT_START, DEFAULT_END)
    _ingest(where, written)
    _build_and_publish(where)
    _export(where, month=DEFAULT_END, district=None)
    if serve_after:
        _serve(where, port)


@app.command()
def generate(
    out: Annotated[Path, typer.Option(help="folder to write the landing files into")],
    scale: Annotated[str, typer.Option(help="small or city")] = "small",
    seed: Annotated[
        int, typer.Option(help="random seed; the same seed gives the same bytes")
    ] = 20250801,
    start: Annotated[str, typer.Option(help="first month, YYYY-MM", callback=MONTH)] = "2023-01",
    end: Annotated[str, typer.Option(help="last month, YYYY-MM", callback=MONTH)] = "2025-06",
) -> None:
    """Write deterministic synthetic landing files, one folder per system and month."""
    from warehouse.published import month_start

    _check_scale(scale)
    if month_start(start) > month_start(end):
        raise UserError(f"--start {start} 晚于 --end {end}")
    where, target = home(), out.resolve()
    if target == where.root or where.root in target.parents:
        where.ensure()  # the home's folders and group first: what is generated inherits them
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UserError(f"无法创建输出目录 {out}({exc.strerror})") from None
    _generate(out, scale, seed, start, end)


@app.command()
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
        _ingest(home(), paths or None)


@app.command()
def build(
    target: Annotated[
        str, typer.Option(help="duckdb (build and publish) or spark (build on Spark, compare KPIs)")
    ] = "duckdb",
    data_tests: Annotated[
        bool, typer.Option(help="with --target spark: also run the data tests on Spark (slow)")
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

    With --target spark the same dbt project runs on Apache Spark (local mode); nothing is
    published: the KPIs it produces are compared with the published DuckDB build's.
    """
    if target == "spark":
        with _exclusive(home(), "build"):
            _build_on_spark(home(), data_tests)
    elif target == "duckdb":
        _build_and_publish(home(), full)
    else:
        raise UserError(f"未知的构建目标 {target}:可选 duckdb 或 spark")


def _build_on_spark(where: Home, data_tests: bool = False) -> None:
    from warehouse.spark import ABS_TOLERANCE, REL_TOLERANCE, build_on_spark

    with _progress() as progress:
        task = progress.add_task("dbt build (Spark)", total=None)

        def on_node(unique_id: str, total: int) -> None:
            name = unique_id.split(".")[2] if unique_id.count(".") >= 2 else unique_id
            progress.update(task, advance=1, total=total, description=f"Spark: {name}")

        result = build_on_spark(where, on_node=on_node, data_tests=data_tests)
        progress.update(task, description="dbt build (Spark) 完成")
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
    console.print(table)
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


@app.command()
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


export_app = typer.Typer(
    help="Monthly KPI packs: export a month, or compare two versions.", no_args_is_help=False
)
app.add_typer(export_app, name="export")


@export_app.callback(invoke_without_command=True)
def export(
    ctx: typer.Context,
    month: Annotated[
        str | None, typer.Option(help="month to export, YYYY-MM", callback=MONTH)
    ] = None,
    district: Annotated[
        str | None,
        typer.Option(help="district code; default: the whole city", callback=DISTRICT),
    ] = None,
    as_user: Annotated[
        str | None,
        typer.Option(
            "--as-user",
            envvar="XIAOGE_USER",
            callback=USER,
            help="export with this user's role from the access file (a district user gets "
            "their own district only)",
        ),
    ] = None,
) -> None:
    """Write the frozen monthly KPI pack under exports/<month>/v<N>/."""
    if ctx.invoked_subcommand is None:
        _export(home(), month, district, as_user)


@export_app.command("diff")
def export_diff(
    month: Annotated[str, typer.Option(help="month, YYYY-MM", callback=MONTH)],
    district: Annotated[
        str | None,
        typer.Option(help="district code; default: the whole city", callback=DISTRICT),
    ] = None,
    from_version: Annotated[
        str | None, typer.Option("--from", help="older version, e.g. v1", callback=VERSION)
    ] = None,
    to_version: Annotated[
        str | None, typer.Option("--to", help="newer version, e.g. v2", callback=VERSION)
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="print JSON")] = False,
) -> None:
    """List the KPIs whose values differ between two versions of a month's pack."""
    import pandas as pd

    from warehouse.export import diff

    changes = diff(
        home(), month, district, _version_number(from_version), _version_number(to_version)
    )
    if as_json:
        _print_json(changes.to_dict(orient="records"))
        return
    old_label, new_label = changes.columns[-2], changes.columns[-1]
    table = Table(
        title=f"{month} {old_label} -> {new_label}:{changes['kpi_id'].nunique()} 个指标有变化"
    )
    for column in ("指标", "名称", "区域", "群体", "平台", old_label, new_label):
        table.add_column(column)
    for row in changes.itertuples(index=False):
        table.add_row(*("" if pd.isna(v) else str(v) for v in row))
    Console().print(table)


def _version_number(text: str | None) -> int | None:
    return None if text is None else names.version(text)


@app.command()
def kpi(
    month: Annotated[
        str | None, typer.Option(help="YYYY-MM; default: the latest month", callback=MONTH)
    ] = None,
    district: Annotated[
        str | None, typer.Option(help="district code; default: city-wide", callback=DISTRICT)
    ] = None,
    group: Annotated[
        str | None,
        typer.Option(
            help="worker group (delivery, express, ride_hailing): each KPI's figure for that "
            "group where the KPI is broken down by group, as the dashboards' group filter",
            callback=GROUP,
        ),
    ] = None,
    breakdowns: Annotated[
        bool,
        typer.Option(
            "--breakdowns",
            help="also every breakdown row the dashboards show: by district (city-wide only), "
            "by group and by platform",
        ),
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="print JSON")] = False,
) -> None:
    """KPI values from the published warehouse, keyed by KPI id."""
    from warehouse.kpis import kpi_values

    values = kpi_values(home(), month=month, district=district, group=group, breakdowns=breakdowns)
    if as_json:
        _print_json(values)
        return
    scope = " ".join(filter(None, (values["month"], district or "全市", group)))
    table = Table(title=f"{scope}(构建 {values['build_id']})")
    for column in ("指标", "名称", "数值", "单位", *(["群体"] if group else [])):
        table.add_column(column)
    for kpi_id, item in values["kpis"].items():
        cells = [kpi_id, item["name_zh"], _figure(item["value"], item["suppressed"])]
        cells += [item["unit"] or "", *([item["group"] or "全部"] if group else [])]
        table.add_row(*cells)
    out = Console()
    out.print(table)
    if breakdowns:
        out.print(_breakdown_table(values, scope))


def _breakdown_table(values: dict, scope: str) -> Table:
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
                _figure(row["value"], row["suppressed"]),
                _figure(row["numerator"], row["numerator_suppressed"]),
                _figure(row["denominator"], row["denominator_suppressed"]),
                end_section=index == len(rows) - 1,
            )
    return table


def _figure(value: float | None, hidden: bool) -> str:
    """A figure in a table: hidden by the disclosure-control gate "<5", missing "—"."""
    from warehouse.present.format import figure

    return figure(value, hidden)


@app.command()
def status(as_json: Annotated[bool, typer.Option("--json", help="print JSON")] = False) -> None:
    """The published version and what has been loaded, per source."""
    from warehouse.status import status as collect

    report = collect(home())
    if as_json:
        _print_json(report)
        return
    out = Console()
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


@app.command()
def serve(
    port: Annotated[int, typer.Option(help="port on 127.0.0.1")] = DEFAULT_PORT,
    secrets: Annotated[
        Path | None,
        typer.Option(
            help="another secrets.toml (e.g. with the OIDC login section), read after "
            "~/.streamlit/secrets.toml and the repo's .streamlit/secrets.toml",
            exists=True,
            dir_okay=False,
        ),
    ] = None,
) -> None:
    """Serve the dashboards at http://127.0.0.1:PORT (OIDC login when secrets.toml configures it)."""
    where = home().ensure()
    _check_port(port)
    _serve(where, port, secrets)


@app.command()
def docs() -> None:
    """Generate the dbt documentation site (models, tests, lineage) for analysts."""
    from warehouse.build import build_docs

    with console.status("dbt docs generate ..."):
        site = build_docs(home())
    console.print(f"文档已生成: {site}(分析人员在仪表盘的“模型文档”页查看)")


@app.command()
def version() -> None:
    """Print the tool's version."""
    sys.stdout.write(f"xiaoge {__version__}\n")


# --- checks and serving ---------------------------------------------------------------------


def _ensure_pii_key(where: Home) -> None:
    """The demo makes its own pseudonymisation key, outside the home folder, and says where."""
    from warehouse.pii import ensure_key_file, key_file

    if where.root in key_file().resolve().parents:
        raise UserError(
            f"脱敏密钥文件 {key_file()} 不能放在 XIAOGE_HOME 内:请用 XIAOGE_PII_KEY_FILE 指定 XIAOGE_HOME 之外的位置"
        )
    path, created = ensure_key_file()
    if created:
        console.print(
            f"已生成个人信息脱敏密钥 {path}:请妥善保管并备份,丢失后新数据将无法与已有数据关联"
        )


def _check_scale(scale: str) -> None:
    if scale not in ("small", "city"):
        raise UserError(f"--scale {scale} 不支持:请用 small 或 city")


def _check_port(port: int) -> None:
    if not 0 < port < 65536:
        raise UserError(f"端口 {port} 无效:请用 1 到 65535 之间的端口")
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        # As the server will: a port whose last user just stopped (TIME_WAIT) is free.
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            raise UserError(
                f"端口 {port} 已被占用:用 --port 指定其他端口,或先停止占用它的程序"
            ) from None


def _serve(where: Home, port: int, secrets: Path | None = None) -> None:
    """Replace this process with Streamlit serving the dashboards on 127.0.0.1 only."""
    from warehouse.access import local_viewer

    local_viewer()  # a bad XIAOGE_DEMO_ROLE is one line here, not an error page later
    os.environ["XIAOGE_HOME"] = str(where.root)
    os.chdir(REPO_ROOT)  # Streamlit reads .streamlit/ from the working folder
    console.print(f"仪表盘: http://127.0.0.1:{port}  (Ctrl+C 停止)")
    sys.stdout.flush()
    sys.stderr.flush()
    # serve.py: app.py as Streamlit's ASGI app behind the session gate, so that with a login
    # configured no download or file URL answers a request without a session.
    args = [
        sys.executable, "-m", "streamlit", "run", str(DASHBOARD_APP.with_name("serve.py")),
        "--server.port", str(port),
        "--server.address", "127.0.0.1",
        "--server.headless", "true",
        "--browser.gatherUsageStats", "false",
    ]  # fmt: skip
    if secrets is not None:
        # Added to Streamlit's default secrets files, never instead of them: an [auth]
        # section in the repo's .streamlit/secrets.toml keeps the login on.
        for path in (
            Path.home() / ".streamlit" / "secrets.toml",
            REPO_ROOT / ".streamlit" / "secrets.toml",
            secrets.resolve(),
        ):
            args += ["--secrets.files", str(path)]
    os.execv(sys.executable, args)


def main() -> None:
    """Entry point: user errors become one line and a non-zero exit, never a traceback."""
    try:
        # Before anything is written: files under the home are the owner's (or the
        # XIAOGE_HOME_GROUP's) only, also those written by child processes (dbt, Chromium).
        restrict_new_files()
        app()
    except UserError as error:
        # escape: a user's value in the message (e.g. "[/x]") is text, not rich markup.
        console.print(f"[red]错误:[/red] {escape(str(error))}", soft_wrap=True, highlight=False)
        sys.exit(1)
    except KeyboardInterrupt:
        console.print("已中断")
        sys.exit(130)
    except Exception as error:  # a defect: keep the details in a file, show one line
        log = Path(os.environ.get("TMPDIR", "/tmp")) / "xiaoge-error.log"
        log.write_text(traceback.format_exc(), encoding="utf-8")
        console.print(
            f"[red]内部错误:[/red] {type(error).__name__}: {escape(str(error))}"
            f"(详细信息见 {log},请报告给维护人员)",
            soft_wrap=True,
            highlight=False,
        )
        sys.exit(70)
