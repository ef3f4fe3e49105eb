"""The benchmark's steps: commands run with their wall time and peak RSS, the landing files
and homes they run on, and the in-process measurements (DuckDB's bare copy, dbt's compiled
SQL, the dashboard data functions, the first paint, row counts) run in a fresh interpreter."""

from __future__ import annotations

import json
import logging
import multiprocessing
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

XIAOGE = str(Path(sys.executable).with_name("xiaoge"))


@dataclass
class Step:
    name: str
    seconds: list[float] = field(default_factory=list)
    peak_rss_mb: float = 0.0

    @property
    def median(self) -> float:
        return statistics.median(self.seconds)


def run(args: list[str], env: dict, step: Step) -> None:
    """Run a command, adding its wall time and peak RSS (its own or any descendant's) to the step."""
    with tempfile.TemporaryFile() as errors:  # a file, not a pipe: a full pipe would block it
        start = time.perf_counter()
        child = subprocess.Popen(args, env=env, stdout=subprocess.DEVNULL, stderr=errors)
        _, status, usage = os.wait4(child.pid, 0)
        step.seconds.append(time.perf_counter() - start)
        step.peak_rss_mb = max(step.peak_rss_mb, usage.ru_maxrss / 1024)
        if status != 0:
            errors.seek(0)
            raise SystemExit(f"{' '.join(args)} failed:\n{errors.read().decode(errors='replace')}")


def in_child(function, *args):
    """Run in-process work (DuckDB, Streamlit, Chromium) in a fresh interpreter.

    The kernel starts a child's peak RSS from its parent's peak, so this process must stay
    small for the peak RSS of the commands it runs to be their own.
    """
    with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as pool:
        return pool.submit(function, *args).result()


def bench_folder(folder: Path) -> Path:
    """The benchmark's folder, made, with its own pseudonymisation key outside every home it
    makes."""
    from warehouse.pii import ensure_key_file

    bench = folder.resolve()
    bench.mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("XIAOGE_PII_KEY_FILE", str(bench / "pii.key"))
    ensure_key_file()
    return bench


def environment(home: Path) -> dict:
    return {**os.environ, "XIAOGE_HOME": str(home)}


def generate(bench: Path, scale: str) -> tuple[Path, dict]:
    landing = bench / f"landing-{scale}"
    stamp = landing / "_generated.json"
    if not stamp.exists():
        shutil.rmtree(landing, ignore_errors=True)
        step = Step("generate")
        run([XIAOGE, "generate", "--scale", scale, "--out", str(landing)], dict(os.environ), step)
        files = [p for p in landing.rglob("*") if p.is_file() and not p.name.startswith("_")]
        stamp.write_text(
            json.dumps(
                {
                    "seconds": step.median,
                    "peak_rss_mb": step.peak_rss_mb,
                    "files": len(files),
                    "bytes": sum(p.stat().st_size for p in files),
                }
            )
        )
    return landing, json.loads(stamp.read_text())


def fresh_home(bench: Path, landing: Path, name: str, exclude_month: str | None = None) -> Path:
    home = bench / name
    shutil.rmtree(home, ignore_errors=True)
    (home / "landing").mkdir(parents=True)
    for system in landing.iterdir():
        if system.is_dir():
            for month in system.iterdir():
                if month.name != exclude_month:
                    target = home / "landing" / system.name / month.name
                    target.mkdir(parents=True)
                    for file in month.iterdir():
                        os.link(file, target / file.name)
    return home


def quiet_duckdb(
    path: Path | str = ":memory:", config: dict | None = None
) -> duckdb.DuckDBPyConnection:
    """A plain DuckDB connection (DuckDB's own defaults, or `config`) without its progress bar,
    which DuckDB 2 sets per connection only."""
    con = duckdb.connect(str(path), config=config or {})
    con.execute("set enable_progress_bar = false")
    return con


def duckdb_copy(landing: Path, out: Path) -> Step:
    """The bare baseline: DuckDB reading every file and writing it to Parquet, nothing else."""
    from warehouse.ingest import xlsx_to_csv

    step = Step("duckdb_copy")
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    start = time.perf_counter()
    with quiet_duckdb() as con:
        for index, file in enumerate(
            sorted(p for p in landing.rglob("*") if p.is_file() and not p.name.startswith("_"))
        ):
            source = xlsx_to_csv(file, out) if file.suffix == ".xlsx" else file
            try:
                source.read_bytes().decode("utf-8")
            except UnicodeDecodeError:  # DuckDB reads only UTF-8 offline: transcode GBK first
                utf8 = out / "utf8.csv"
                utf8.write_text(source.read_bytes().decode("gb18030"), encoding="utf-8")
                source = utf8
            con.execute(
                "copy (select * from read_csv(?, all_varchar = true, header = true)) "
                f"to '{out / f'{index}.parquet'}' (format parquet, compression zstd)",
                [str(source)],
            )
    step.seconds.append(time.perf_counter() - start)
    return step


def compiled_sql_seconds(home: Path, build_limits: bool = True) -> float:
    """dbt's compiled statements for the same build, run in order in one DuckDB session: with
    the memory limit and threads the build gives DuckDB (`build_limits`), or DuckDB's own
    defaults (a memory limit of 80% of the machine's memory)."""
    from warehouse.config import duckdb_settings

    build_id = json.loads(
        (home / "published" / "versions").glob("*/version.json").__next__().read_text()
    )["build_id"]
    build_dir = home / "build" / build_id
    results = json.loads((build_dir / "target" / "run_results.json").read_text())
    manifest = json.loads((build_dir / "target" / "manifest.json").read_text())
    statements = []
    for result in results["results"]:
        node = manifest["nodes"].get(result["unique_id"]) or {}
        if node.get("resource_type") in ("model", "snapshot") and result.get("compiled_code"):
            kind = "view" if node["config"]["materialized"] in ("view", "ephemeral") else "table"
            statements.append(
                f"create or replace {kind} {node['alias']} as {result['compiled_code']}"
            )
    # Named as dbt's database is: the compiled SQL names its relations "xiaoge"."main".<name>.
    database = home / "bench-bare" / "xiaoge.duckdb"
    shutil.rmtree(database.parent, ignore_errors=True)
    database.parent.mkdir()
    with quiet_duckdb(database, duckdb_settings() if build_limits else None) as con:
        # Seeds as dbt loaded them (their column types), copied from the built file.
        con.execute(f"attach '{build_dir / 'xiaoge.duckdb'}' as built (read_only)")
        for seed in manifest["nodes"].values():
            if seed["resource_type"] == "seed":
                con.execute(
                    f"create table {seed['alias']} as select * from built.main.{seed['alias']}"
                )
        con.execute("detach built")
        # dbt ran in the build folder and the compiled SQL reads the raw zone relative to it
        # (this runs in a child process of its own, so changing its folder changes nothing else)
        os.chdir(build_dir)
        start = time.perf_counter()
        for statement in statements:
            con.execute(statement)
        seconds = time.perf_counter() - start
    shutil.rmtree(database.parent)
    return seconds


def page_queries(home: Path) -> dict:
    """Every dashboard data function the pages call, uncached, over the last two months x
    every district (and the city) x every group filter; in ms, pooled and per function."""
    os.environ["XIAOGE_HOME"] = str(home)
    os.environ["XIAOGE_DEMO_ROLE"] = "analyst"  # local mode, with the quality page's functions
    import streamlit as st

    # Outside `streamlit run` every uncached call warns "No runtime found" on a logger of its
    # own (not under Streamlit's log level): thousands of lines in the bench's output.
    logging.getLogger("streamlit.runtime.caching.cache_data_api").disabled = True

    from dashboards import data

    timings: dict[str, list[float]] = {}

    def timed(name: str, call) -> None:
        st.cache_data.clear()
        start = time.perf_counter()
        call()
        timings.setdefault(name, []).append((time.perf_counter() - start) * 1000)

    themes = data.themes()["theme"].tolist()
    districts = [None, *data.districts()["district_code"]]
    groups = [None, *data.groups()["group_code"]]
    for month in data.months()[-2:]:
        timed("operations_status", data.operations_status)
        timed("quarantine_reasons", data.quarantine_reasons)
        for district in districts:
            for group in groups:
                scope = data.Scope(month, district, group)
                timed("headline", lambda scope=scope: data.headline(scope))
                for theme in themes:
                    timed("headline(theme)", lambda s=scope, t=theme: data.headline(s, t))
                    timed("theme_series", lambda s=scope, t=theme: data.theme_series(t, s))
                timed("series", lambda scope=scope: data.series("party_orgs", scope))
                timed("by_district", lambda s=scope: data.by_district("workforce_active", s))
                timed(
                    "breakdown",
                    lambda s=scope: data.breakdown("workforce_active", s, "platform_code"),
                )
                timed("stations", lambda scope=scope: data.stations(scope))
                timed("tenure_distribution", lambda s=scope: data.tenure_distribution(s))
                timed("cohort_retention", lambda s=scope: data.cohort_retention(s))
    pooled = sorted(t for values in timings.values() for t in values)
    return {
        "p50": statistics.median(pooled),
        "p95": _percentile(pooled, 0.95),
        "queries": len(pooled),
        "by_function": {
            name: (statistics.median(values), _percentile(sorted(values), 0.95))
            for name, values in timings.items()
        },
    }


def _percentile(ordered: list[float], share: float) -> float:
    return ordered[min(len(ordered) - 1, int(len(ordered) * share))]


def kpis_identical(first: Path, second: Path) -> tuple[int, int]:
    """(rows, rows that differ) between two homes' published fct_kpi_monthly."""
    with duckdb.connect() as con:
        for name, home in (("a", first), ("b", second)):
            con.execute(f"attach '{home / 'published' / 'xiaoge.duckdb'}' as {name} (read_only)")
        rows = con.execute("select count(*) from a.fct_kpi_monthly").fetchone()[0]
        differ = con.execute(
            "select count(*) from ((select * from a.fct_kpi_monthly except "
            "select * from b.fct_kpi_monthly) union all (select * from b.fct_kpi_monthly "
            "except select * from a.fct_kpi_monthly))"
        ).fetchone()[0]
    return rows, differ


def first_paint(home: Path) -> float:
    from tests.browser_support import chromium, serving

    with serving(home, "serve") as url, chromium() as browser:
        page = browser.new_page()
        start = time.perf_counter()
        page.goto(url)
        page.locator("[data-testid='stMetricValue']").first.wait_for(timeout=60_000)
        return time.perf_counter() - start


def row_counts(home: Path) -> dict[str, int]:
    """Data size, from the build database behind the served file (the served file holds only
    public marts; staging views over the raw zone stay in the build database)."""
    from warehouse.config import Home
    from warehouse.served import served_build_database

    database = served_build_database(Home(home))
    if database is None:
        raise RuntimeError(f"no build database behind the served file in {home}")
    os.chdir(database.parent)  # the staging views read the raw zone relative to the build folder
    with duckdb.connect(str(database), read_only=True) as con:
        counts = {}
        for table in (
            "stg_platform__monthly_activities",
            "stg_xiaogema__compound_entries",
            "fct_kpi_monthly",
        ):
            counts[table] = con.execute(f"select count(*) from {table}").fetchall()[0][0]
        counts["distinct workers"] = con.execute(
            "select count(distinct worker_key) from stg_platform__worker_rosters"
        ).fetchall()[0][0]
        counts["compound entries (sum)"] = int(
            con.execute("select sum(entries) from stg_xiaogema__compound_entries").fetchall()[0][0]
        )
    return counts
