"""DuckDB connections with the configured resource limits."""

from __future__ import annotations

from pathlib import Path

import duckdb

from warehouse.config import duckdb_settings


def connect(path: Path | str = ":memory:", *, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    config = duckdb_settings()
    return duckdb.connect(str(path), read_only=read_only, config=config)


def quote_ident(name: str) -> str:
    """Quote an identifier (column headers come from files and may hold any character)."""
    return '"' + name.replace('"', '""') + '"'


def sql_literal(value: str) -> str:
    """Quote a string literal for the few statements DuckDB cannot parameterise (COPY TO)."""
    return "'" + value.replace("'", "''") + "'"
