"""Showing the warehouse: `xiaoge demo` (every step, then the dashboards), `xiaoge serve`,
`xiaoge docs` (dbt's documentation site) and `xiaoge version`."""

from __future__ import annotations

import os
import socket
import sys
from pathlib import Path
from typing import Annotated

import typer

from warehouse import __version__
from warehouse.cli.build import build_and_publish
from warehouse.cli.load import generate_files, ingest_files
from warehouse.cli.options import (
    DEFAULT_PORT,
    PortOption,
    Scale,
    ScaleOption,
)
from warehouse.cli.read import export_pack
from warehouse.cli.render import console
from warehouse.config import DASHBOARD_APP, REPO_ROOT, Home, home
from warehouse.errors import UserError


def demo(
    scale: ScaleOption = Scale.small,
    serve_after: Annotated[
        bool, typer.Option("--serve/--no-serve", help="serve the dashboard at the end")
    ] = True,
    port: PortOption = DEFAULT_PORT,
) -> None:
    """Generate demo data, ingest, build, publish, export the last month, then serve."""
    from warehouse.generate import DEFAULT_END, DEFAULT_SEED, DEFAULT_START

    where = home().ensure()
    if serve_after:
        _check_port(port)
    _ensure_pii_key(where)
    written = generate_files(where.landing, scale, DEFAULT_SEED, DEFAULT_START, DEFAULT_END)
    ingest_files(where, written)
    build_and_publish(where)
    export_pack(where, month=DEFAULT_END, district=None)
    if serve_after:
        _serve(where, port)


def serve(
    port: PortOption = DEFAULT_PORT,
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


def docs() -> None:
    """Generate the dbt documentation site (models, tests, lineage) for analysts."""
    from warehouse.build import build_docs

    with console.status("dbt docs generate ..."):
        site = build_docs(home())
    console.print(f"文档已生成: {site}(分析人员在仪表盘的“模型文档”页查看)")


def version() -> None:
    """Print the tool's version."""
    sys.stdout.write(f"xiaoge {__version__}\n")


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
