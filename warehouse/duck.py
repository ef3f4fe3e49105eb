"""DuckDB connections with the configured resource limits."""

from __future__ import annotations

import threading
from pathlib import Path

import duckdb

from warehouse.config import duckdb_settings


def connect(path: Path | str = ":memory:", *, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    config = duckdb_settings()
    return duckdb.connect(str(path), read_only=read_only, config=config)


_shared: duckdb.DuckDBPyConnection | None = None
_shared_lock = threading.Lock()


def shared_connection() -> duckdb.DuckDBPyConnection:
    """A new connection to one in-memory DuckDB kept for the life of the process, for short
    reads (close it after use; each thread needs its own). Starting a DuckDB costs about
    28 ms, a connection to a running one next to nothing."""
    global _shared
    with _shared_lock:
        if _shared is None:
            _shared = connect()
        return _shared.cursor()


def quote_ident(name: str) -> str:
    """Quote an identifier (column headers come from files and may hold any character)."""
    return '"' + name.replace('"', '""') + '"'


def sql_literal(value: str) -> str:
    """Quote a string literal for the few statements DuckDB cannot parameterise (COPY TO)."""
    return "'" + value.replace("'", "''") + "'"
