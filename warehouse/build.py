"""Write and audit: dbt builds a new DuckDB file; only a passing build can be published.

Each build gets its own folder `build/<build_id>/` (database, dbt logs and artefacts).
`warehouse.publish` makes a finished build the served one and keeps the versions for rollback.

A build is incremental when the served build came from the same dbt project: it starts from a
copy of the served file, and the month-incremental models (the person-month facts and the KPIs
over them) recompute only the months from the month before the earliest month with new or
re-delivered files. Months before that keep the figures they were built with; `full=True`
(`xiaoge build --full`) recomputes everything from the raw zone.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import subprocess
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from warehouse import __version__, ledger, strict_json
from warehouse.audit import import_great_expectations, run_audit
from warehouse.build_plan import plan_build, project_fingerprint, snapshot_history
from warehouse.config import PUBLISHED_DB_NAME, Home, dbt_project_dir, docs_site, duckdb_settings
from warehouse.duck import connect, quote_ident, sql_literal
from warehouse.errors import UserError
from warehouse.served import served_build_database

PARTIAL_PARSE_FILE = "partial_parse.msgpack"


@dataclass(frozen=True)
class BuildResult:
    build_id: str
    built_at: str
    database: Path
    nodes: int
    warnings: list[str]
    rebuilt_from: str | None = None  # first recomputed month of an incremental build


def new_build_id() -> str:
    return datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ") + "-" + secrets.token_hex(2)


@dataclass(frozen=True)
class DbtRun:
    success: bool
    errors: list[str]
    build_dir: Path

    def failure(self) -> str:
        """The first failing node and its message, as one line."""
        results = self.build_dir / "target" / "run_results.json"
        if results.exists():
            for node in json.loads(results.read_text(encoding="utf-8")).get("results", []):
                if node.get("status") in ("error", "fail", "runtime error"):
                    message = (node.get("message") or node["status"]).strip().splitlines()
                    return f"{node['unique_id'].split('.')[-1]}: {message[0] if message else ''}"
        message = (self.errors or ["dbt 失败"])[0].replace("Encountered an error:", "")
        first = " ".join(line.strip() for line in message.splitlines() if line.strip())
        return f"{first[:300]}(详见 {self.build_dir / 'logs' / 'dbt.log'})"


def run_dbt(
    home: Home,
    build_dir: Path,
    args: list[str],
    on_node: Callable[[str, int], None] | None = None,
    target: str = "dev",
    extra_env: dict[str, str] | None = None,
) -> DbtRun:
    """Run a dbt command against this build's database, in a child process.

    A child process, not dbt's in-process runner: dbt-duckdb keeps its connection open for
    the life of the process, and the finished file must be closed before it is published.
    It runs in `build_dir`, and the paths dbt sees are relative to it, so that they are the
    same for every build and dbt can reuse the parse of the build before.
    """
    settings = duckdb_settings()
    _reuse_parse(build_dir)
    env = {
        **os.environ,
        "XIAOGE_BUILD_DB": PUBLISHED_DB_NAME,
        "XIAOGE_RAW_DIR": os.path.relpath(home.raw, build_dir),
        "XIAOGE_DBT_TARGET": target,
        "XIAOGE_DUCKDB_THREADS": settings["threads"],
        "XIAOGE_DUCKDB_MEMORY_LIMIT": settings["memory_limit"],
        "XIAOGE_REBUILD_FROM_MONTH": "",  # every month, unless an incremental build says
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
        **(extra_env or {}),
    }
    command = [
        str(Path(sys.executable).with_name("dbt")),
        "--log-format", "json",
        "--no-use-colors",
        *args,
        "--project-dir", str(dbt_project_dir()),
        "--profiles-dir", str(dbt_project_dir()),
        "--target-path", str(build_dir / "target"),
        "--log-path", str(build_dir / "logs"),
    ]  # fmt: skip
    errors: list[str] = []
    with subprocess.Popen(
        command,
        cwd=build_dir,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        encoding="utf-8",
    ) as child:
        for line in child.stdout or []:
            try:
                event = json.loads(line)
            except json.JSONDecodeError:
                if line.strip():
                    errors.append(line.strip())
                continue
            info = event.get("info", {})
            if info.get("level") == "error" and info.get("msg", "").strip():
                errors.append(info["msg"].strip())
            data = event.get("data", {})
            total = data.get("total") or data.get("num_models")  # tests report num_models
            if on_node and info.get("name", "").endswith("Result") and total:
                node = data.get("node_info", {})
                on_node(node.get("unique_id", ""), int(total))
    return DbtRun(child.returncode == 0, errors, build_dir)


def _reuse_parse(build_dir: Path) -> None:
    """Start from the newest parse of a sibling build (dbt's partial parse file): a full
    parse of the project takes several seconds. dbt itself compares the project's files,
    vars, env vars and profile with the file's and parses again what changed."""
    cache = build_dir / "target" / PARTIAL_PARSE_FILE
    earlier = [p for p in build_dir.parent.glob(f"*/target/{PARTIAL_PARSE_FILE}") if p != cache]
    if cache.exists() or not earlier:
        return
    cache.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(max(earlier, key=lambda p: p.stat().st_mtime_ns), cache)


# What an incremental build leaves out, because it can only fail when the project changes and
# an incremental build's project is the served build's (the same fingerprint), whose build ran
# it and passed: dbt's unit tests (the models' SQL against fixed inputs), and the seeds with
# their own tests (the project's CSV files, already loaded in the database it starts from).
# Cautious indirect selection keeps every test that reads a model as well as a seed.
INCREMENTAL_SKIPS = [
    "--exclude-resource-type", "unit_test",
    "--exclude", "resource_type:seed",
    "--indirect-selection", "cautious",
]  # fmt: skip


def require_raw_data(home: Home) -> None:
    home.ensure()
    if not any(row["status"] == "loaded" for row in ledger.read(home)):
        raise UserError("原始区还没有数据:先运行 xiaoge ingest(或 xiaoge demo)")


def build(
    home: Home,
    on_node: Callable[[str, int], None] | None = None,
    full: bool = False,
) -> BuildResult:
    """dbt build into a new database; raise UserError (and publish nothing) on any failure."""
    require_raw_data(home)
    build_id = new_build_id()
    build_dir = home.build / build_id
    build_dir.mkdir(parents=True)
    nodes: list[str] = []

    def count(unique_id: str, total: int) -> None:
        nodes.append(unique_id)
        if on_node:
            on_node(unique_id, total)

    plan = plan_build(home, full)
    database = build_dir / PUBLISHED_DB_NAME
    # The first month to recompute goes to dbt in the environment, not as --vars: dbt parses
    # the whole project again whenever a variable changes (dbt/macros/months_to_build.sql).
    rebuild_from = {"XIAOGE_REBUILD_FROM_MONTH": plan.rebuild_from} if plan.incremental else None
    if plan.incremental:
        # the served file holds marts only: start from the build database behind it
        shutil.copyfile(served_build_database(home), database)
    else:
        _carry_snapshots(home, database)
    write_json_atomic(
        build_dir / "plan.json", {"rebuild_from": plan.rebuild_from, "reason": plan.reason}
    )
    # The audit's Great Expectations takes seconds to import: do it while dbt runs.
    warm_up = threading.Thread(target=import_great_expectations, daemon=True)
    warm_up.start()
    skipped = INCREMENTAL_SKIPS if plan.incremental else []
    result = run_dbt(home, build_dir, ["build", *skipped], on_node=count, extra_env=rebuild_from)
    warm_up.join()
    if not result.success:
        _write_status(build_dir, build_id, "failed", result.failure())
        raise UserError(f"构建 {build_id} 失败,未发布:{result.failure()}")
    return stamp_and_audit(home, build_id, database, len(nodes), plan.rebuild_from)


def stamp_and_audit(
    home: Home,
    build_id: str,
    database: Path,
    nodes: int,
    rebuilt_from: str | None = None,
    engine: str = "duckdb",
) -> BuildResult:
    """Record in a finished build's database what it is and what it was built from, then run
    the audit: a build that fails it is marked failed and never reaches publish."""
    build_dir = database.parent
    built_at = datetime.now(UTC).isoformat(timespec="seconds")
    _stamp(database, home, build_id, built_at, engine)
    audit = run_audit(
        build_id, database, home.published_db if home.published_db.exists() else None, build_dir
    )
    if audit.errors:
        first = audit.errors[0].message
        _write_status(build_dir, build_id, "failed", f"审计未通过:{first}")
        raise UserError(
            f"构建 {build_id} 审计未通过,未发布:{first}(共 {len(audit.errors)} 个错误,报告见 {audit.data_docs})"
        )
    _write_status(build_dir, build_id, "built", "")
    return BuildResult(
        build_id, built_at, database, nodes, [w.message for w in audit.warnings], rebuilt_from
    )


def _carry_snapshots(home: Home, database: Path) -> None:
    """Start the new database with the snapshot tables (SCD2 history of the registries) of
    the build before, so that each build adds to the history instead of starting it again."""
    previous = snapshot_history(home)
    if previous is None:
        return
    with connect(database) as con:
        con.execute(f"attach {sql_literal(str(previous))} as previous (read_only)")
        snapshots = con.execute(
            "select table_name from information_schema.tables "
            "where table_catalog = 'previous' and table_name like 'snap\\_%' escape '\\'"
        ).fetchall()
        for (name,) in snapshots:
            con.execute(
                f"create table main.{quote_ident(name)} as select * from previous.main.{quote_ident(name)}"
            )
        con.execute("detach previous")


def _stamp(database: Path, home: Home, build_id: str, built_at: str, engine: str) -> None:
    """Record in the database itself which build it is, on which engine, and which files it
    was built from."""
    loaded = [row for row in ledger.read(home) if row["status"] == "loaded"]
    with connect(database) as con:
        con.execute(
            "create or replace table xiaoge_build as "
            "select ?::varchar as build_id, ?::timestamptz as built_at, ?::varchar as tool_version, "
            "?::varchar as project_fingerprint, ?::varchar as engine",
            [build_id, built_at, __version__, project_fingerprint(), engine],
        )
        con.execute(
            "create or replace table xiaoge_build_sources "
            "(file_path varchar, checksum varchar, system varchar, table_name varchar, month varchar)"
        )
        con.executemany(
            "insert into xiaoge_build_sources values (?, ?, ?, ?, ?)",
            [
                [r["file_path"], r["checksum"], r["system"], r["table_name"], r["month"]]
                for r in loaded
            ],
        )
        con.execute("checkpoint")


def _write_status(build_dir: Path, build_id: str, status: str, message: str) -> None:
    record = {"build_id": build_id, "status": status, "message": message}
    write_json_atomic(build_dir / "build.json", record)


def write_json_atomic(path: Path, data: dict) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(strict_json.dumps(data, indent=2), encoding="utf-8")
    os.replace(tmp, path)


def build_docs(home: Home) -> Path:
    """dbt's documentation site (models, columns, tests, lineage) as one static HTML file.

    Written to build/docs/index.html under the home only: the dashboards show it to analysts
    inside their session, and no static folder hands it to anyone who asks for the URL.
    """
    if not home.published_db.exists():
        raise UserError("还没有已发布的数据:先运行 xiaoge demo 或 xiaoge build,再生成文档")
    docs_dir = home.build / "docs"
    docs_dir.mkdir(parents=True, exist_ok=True)
    # dbt opens its database read-write: give it a copy of the build database (the served
    # file has marts only, and the docs describe every model)
    shutil.copyfile(served_build_database(home) or home.published_db, docs_dir / PUBLISHED_DB_NAME)
    result = run_dbt(home, docs_dir, ["docs", "generate", "--static"])
    if not result.success:
        raise UserError(f"生成 dbt 文档失败:{result.failure()}")
    site = docs_site(home)
    shutil.copyfile(docs_dir / "target" / "static_index.html", site)
    (docs_dir / PUBLISHED_DB_NAME).unlink()
    return site
