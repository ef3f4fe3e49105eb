"""The `xiaoge` command: generate, ingest, build, export, serve and inspect the warehouse.

options.py declares the options the commands share, render.py shows things, and the commands
live by area: load.py (generate, ingest), build.py (build, rollback), release.py (release),
read.py (kpi, status, export), serve.py (demo, serve, docs, version) and lab.py (lab). They are registered
here, in the order `xiaoge --help` lists them."""

from __future__ import annotations

import os
import sys
import traceback
from pathlib import Path

import typer
from rich.markup import escape

from warehouse.cli import build, lab, load, read, release, serve
from warehouse.cli.render import console
from warehouse.config import restrict_new_files
from warehouse.errors import UserError

app = typer.Typer(
    help="小哥友好城市 指标仓: load the monthly source files, build and publish the KPIs, serve the dashboards.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
app.command()(serve.demo)
app.command()(load.generate)
app.command()(load.ingest)
app.command()(build.build)
app.command()(build.rollback)
app.command()(release.release)
app.add_typer(read.export_app, name="export")
app.command()(read.kpi)
app.command()(read.status)
app.command()(serve.serve)
app.command()(serve.docs)
app.command()(lab.lab)
app.command()(serve.version)


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
