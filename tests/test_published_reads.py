"""Reads of the served file through the process's one in-memory DuckDB: each query attaches
the file under a name of its own and detaches it after, so nothing stays open, a publish (an
atomic rename) is seen by the next query, threads reading two homes at once each see their
own, and a table list names the served file's tables only.

Small DuckDB files of their own, no demo: these are properties of the read path.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

import duckdb
import pytest

from warehouse.access import scoped_query
from warehouse.config import Home
from warehouse.duck import shared_connection
from warehouse.errors import UserError
from warehouse.published import query, read_only, served_tables


def _served(root: Path, build_id: str, districts: list[str]) -> Home:
    """A home whose served file has a build record and a district table."""
    home = Home(root)
    home.published_db.parent.mkdir(parents=True, exist_ok=True)
    staged = home.published_db.with_name("next.duckdb")
    with duckdb.connect(str(staged)) as con:
        con.execute("create table xiaoge_build as select ?::varchar as build_id", [build_id])
        con.execute("create table dim_district (district_code varchar)")
        con.executemany("insert into dim_district values (?)", [[d] for d in districts])
        con.execute(f"create table only_in_{build_id} as select 1 as one")
    os.replace(staged, home.published_db)  # as publish does
    return home


def _attached() -> list[str]:
    with shared_connection() as con:
        return [
            r[0] for r in con.execute("select database_name from duckdb_databases()").fetchall()
        ]


def _open_handles(path: Path) -> int:
    fds = Path("/proc/self/fd")
    return sum(1 for fd in fds.iterdir() if os.path.realpath(fd) == str(path.resolve()))


def test_a_query_leaves_nothing_attached_or_open(tmp_path: Path) -> None:
    home = _served(tmp_path / "a", "b1", ["330102", "330105"])
    before = _attached()
    assert query(home, "select build_id from xiaoge_build")["build_id"].tolist() == ["b1"]
    with read_only(home) as con:
        con.execute("select * from dim_district")  # a result left unread
    assert _attached() == before
    assert _open_handles(home.published_db) == 0


def test_a_publish_is_seen_by_the_next_query(tmp_path: Path) -> None:
    home = _served(tmp_path / "a", "b1", ["330102"])
    assert query(home, "select build_id from xiaoge_build")["build_id"].tolist() == ["b1"]
    _served(tmp_path / "a", "b2", ["330102"])
    assert query(home, "select build_id from xiaoge_build")["build_id"].tolist() == ["b2"]
    home.published_db.unlink()
    with pytest.raises(UserError, match="还没有已发布的数据"):
        query(home, "select build_id from xiaoge_build")


def test_threads_reading_two_homes_each_see_their_own(tmp_path: Path) -> None:
    homes = {
        "b1": _served(tmp_path / "a", "b1", ["330102", "330105", "330106"]),
        "b2": _served(tmp_path / "b", "b2", ["330102"]),
    }
    wrong: list[str] = []

    def read(build_id: str) -> None:
        home = homes[build_id]
        for _ in range(40):
            if query(home, "select build_id from xiaoge_build")["build_id"].tolist() != [build_id]:
                wrong.append(f"{build_id}: another file's build")
            tables = served_tables(lambda sql, params: query(home, sql, params))
            if tables != {"xiaoge_build", "dim_district", f"only_in_{build_id}"}:
                wrong.append(f"{build_id}: tables {sorted(tables)}")
            scoped = scoped_query(home, "select count(*) as n from dim_district", [], "330102")
            if scoped["n"].tolist() != [1]:
                wrong.append(f"{build_id}: district scope {scoped['n'].tolist()}")

    threads = [threading.Thread(target=read, args=(b,)) for b in homes for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert wrong == []
    # the district scope was the query's own: the next unscoped read sees every district
    assert query(homes["b1"], "select count(*) as n from dim_district")["n"].tolist() == [3]
