"""Read access to the published warehouse: the file attached read-only per query, and which
build is served and which versions are kept (`warehouse.publish` changes them).

Attaching per query means a publish (an atomic rename of the file) is seen by the next query,
and no reader ever holds the file open across a publish. The file is attached to the
process's one in-memory DuckDB (`warehouse.duck.shared_connection`), on a connection of its
own per query: starting a DuckDB costs about 28 ms, attaching a file about 4 ms, and a page
call runs several queries.
"""

from __future__ import annotations

import json
import re
import secrets
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from pathlib import Path

import duckdb
import pandas as pd

from warehouse.config import Home
from warehouse.duck import shared_connection, sql_literal
from warehouse.errors import UserError

NOT_PUBLISHED = "还没有已发布的数据:先运行 xiaoge demo,或 xiaoge ingest 后 xiaoge build"
# a query function over the served file: SQL and its bound parameters in, a frame out
Run = Callable[[str, list], pd.DataFrame]
OUTDATED = "已发布的数据来自旧版本的模型,缺少表 {table}:请运行 xiaoge build 重新构建并发布"


@contextmanager
def read_only(home: Home) -> Iterator[duckdb.DuckDBPyConnection]:
    """A connection whose default database is the served file, attached read-only."""
    if not home.published_db.exists():
        raise UserError(NOT_PUBLISHED)
    # every query attaches under a name of its own: other threads' attachments are left alone
    alias = f"published_{secrets.token_hex(8)}"
    con = shared_connection()
    try:
        con.execute(f"attach {sql_literal(str(home.published_db))} as {alias} (read_only)")
    except duckdb.IOException:
        con.close()
        if home.published_db.exists():
            raise
        raise UserError(NOT_PUBLISHED) from None  # rolled back or removed a moment ago
    try:
        con.execute(f"use {alias}")
        yield con
    except duckdb.CatalogException as error:
        # a file published by an earlier release of the models lacks a newer public model
        missing = re.search(r"name (\w+) does not exist", str(error))
        raise UserError(OUTDATED.format(table=missing[1] if missing else "")) from None
    finally:
        con.close()  # also drops a result the caller left unread
        with shared_connection() as other:
            other.execute(f"detach {alias}")


def has_table(run: Run, name: str) -> bool:
    """Whether the served file has a table (files published before some marts lack them)."""
    return name in served_tables(run)


def served_tables(run: Run) -> set[str]:
    """The served file's tables, run through the caller's query function (another thread's
    file attached at the same moment is another catalog, and not listed)."""
    found = run(
        "select table_name from information_schema.tables "
        "where table_catalog = current_database() and table_schema = 'main'",
        [],
    )
    return set(found["table_name"])


def query(home: Home, sql: str, params: list | None = None) -> pd.DataFrame:
    """Run one parameterised query against the published warehouse."""
    with read_only(home) as con:
        return con.execute(sql, params or []).df()


def published_version(home: Home) -> Path:
    """The file's identity (inode and mtime change on every publish), for cache keys."""
    stat = home.published_db.stat() if home.published_db.exists() else None
    return Path(f"{stat.st_ino}-{stat.st_mtime_ns}") if stat else Path("none")


def month_start(month: str, shift: int = 0) -> date:
    """'YYYY-MM' -> the first day of that month (or of the month `shift` months later), or a
    one-line error."""
    try:
        year, mon = (int(part) for part in month.split("-"))
        date(year, mon, 1)  # refuses a month such as 2025-13
        index = year * 12 + mon - 1 + shift
        return date(index // 12, index % 12 + 1, 1)
    except ValueError:
        raise UserError(f"月份 {month!r} 格式不对:请写成 YYYY-MM,例如 2025-06") from None


def available_months(home: Home) -> list[str]:
    frame = query(
        home, "select distinct strftime(month_start, '%Y-%m') as m from fct_kpi_monthly order by m"
    )
    return frame["m"].tolist()


def published_month(home: Home, month: str | None) -> str:
    """The month a reader asked for, checked against the published months; by default the
    latest one."""
    months = available_months(home)
    if not months:
        raise UserError(NOT_PUBLISHED)
    if month is None:
        return months[-1]
    month_start(month)
    if month not in months:
        raise UserError(f"没有 {month} 的数据:已发布的月份为 {months[0]} 至 {months[-1]}")
    return month


def build_info(home: Home) -> dict:
    row = query(home, "select * from xiaoge_build").iloc[0]
    return {
        "build_id": row["build_id"],
        "built_at": row["built_at"].isoformat(),
        "tool_version": row["tool_version"],
        # versions published before builds recorded their engine were all DuckDB's
        "engine": row.get("engine") or "duckdb",
    }


def versions(home: Home) -> list[dict]:
    """Published versions, newest first."""
    root = home.published / "versions"
    found = []
    for path in root.glob("*/version.json") if root.exists() else []:
        found.append(json.loads(path.read_text(encoding="utf-8")))
    return sorted(found, key=lambda v: v["build_id"], reverse=True)


def current(home: Home) -> dict | None:
    """The served build, read from the served file itself (so it can never disagree with it)."""
    if not home.published_db.exists():
        return None
    info = build_info(home)
    published_at = datetime.fromtimestamp(home.published_db.stat().st_ctime, UTC)
    newest = next(iter(versions(home)), None)
    return {
        **info,
        "published_at": published_at.isoformat(timespec="seconds"),
        "is_newest_version": newest is None or newest["build_id"] == info["build_id"],
    }
