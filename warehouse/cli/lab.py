"""`xiaoge lab`: JupyterLab for analysts, on 127.0.0.1, with the notebooks folder open."""

from __future__ import annotations

from typing import Annotated

import typer

from warehouse.cli.render import console
from warehouse.config import home

LAB_PORT = 8888


def lab(
    port: Annotated[int, typer.Option(help="port on 127.0.0.1")] = LAB_PORT,
    browser: Annotated[
        bool, typer.Option("--browser/--no-browser", help="open JupyterLab in the browser")
    ] = True,
) -> None:
    """JupyterLab on 127.0.0.1 over dashboards/notebooks, its kernel the project's Python,
    reading the published warehouse (XIAOGE_HOME). Stops with Ctrl+C."""
    from warehouse.lab import NOTEBOOKS, start_lab

    where = home()
    console.print(
        f"JupyterLab:http://127.0.0.1:{port}/lab(笔记本 {NOTEBOOKS},数据 {where.root});"
        "带登录令牌的地址见下方 JupyterLab 的输出,按 Ctrl+C 停止",
        soft_wrap=True,
        highlight=False,
    )
    start_lab(where.root, port, browser)
