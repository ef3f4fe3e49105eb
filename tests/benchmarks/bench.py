"""`make bench`: the city-scale benchmark. Writes docs/performance.md.

Generates the `city` landing files once (kept under the bench folder), then measures, as the
median of several runs where a run is affordable:
  1. ingest of every landing file, against DuckDB alone copying the same files to Parquet;
  2. `xiaoge build` (dbt + audit + publish), against dbt's compiled SQL run in one DuckDB session;
  3. one new month (ingest + incremental build) after a full build of the months before it,
     as a share of a full ingest + build, and whether its KPIs equal the full build's;
  4. every dashboard data function over months x districts x groups (p50, p95) and the
     overview's first paint in headless Chromium;
  5. `xiaoge export` of one month;
  6. the peak memory (RSS) of each step.

    python -m tests.benchmarks.bench [--scale city|small] [--runs N] [--dir DIR]

The steps are in steps.py, the report in report.py.
"""

from __future__ import annotations

import argparse
import os
import shutil
from pathlib import Path

from tests.benchmarks.report import write_report
from tests.benchmarks.steps import (
    XIAOGE,
    Step,
    bench_folder,
    compiled_sql_seconds,
    duckdb_copy,
    environment,
    first_paint,
    fresh_home,
    generate,
    in_child,
    kpis_identical,
    page_queries,
    row_counts,
    run,
)

REPO = Path(__file__).resolve().parents[2]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", default="city", choices=["city", "small"])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--dir", type=Path, default=REPO / "data" / "bench")
    parser.add_argument("--out", type=Path, default=REPO / "docs" / "performance.md")
    options = parser.parse_args()
    bench = bench_folder(options.dir)
    landing, generated = generate(bench, options.scale)
    last_month = max(p.name for p in (landing / "organisation").iterdir())

    steps = {
        name: Step(name)
        for name in (
            "ingest",
            "copy",
            "build",
            "bare",
            "bare_defaults",
            "export",
            "month_ingest",
            "month_build",
        )
    }
    for run_number in range(1, options.runs + 1):
        print(f"run {run_number}/{options.runs}: ingest, DuckDB copy, build, bare SQL, export")
        home = fresh_home(bench, landing, "home")
        run([XIAOGE, "ingest"], environment(home), steps["ingest"])
        steps["copy"].seconds += in_child(duckdb_copy, landing, bench / "copy").seconds
        run([XIAOGE, "build"], environment(home), steps["build"])
        steps["bare"].seconds.append(in_child(compiled_sql_seconds, home))
        steps["bare_defaults"].seconds.append(in_child(compiled_sql_seconds, home, False))
        run([XIAOGE, "export", "--month", last_month], environment(home), steps["export"])
        shutil.rmtree(home / "exports")
    counts = in_child(row_counts, home)
    print("one new month after a full build of the months before it")
    before_month = fresh_home(bench, landing, "home-before-month", exclude_month=last_month)
    run([XIAOGE, "ingest"], environment(before_month), Step("setup"))
    run([XIAOGE, "build"], environment(before_month), Step("setup"))
    differing = []
    for run_number in range(1, options.runs + 1):
        print(f"run {run_number}/{options.runs}: the new month's ingest and incremental build")
        # each run starts from the same home: a copy of the one built without the month
        partial = bench / "home-incremental"
        shutil.rmtree(partial, ignore_errors=True)
        shutil.copytree(before_month, partial, symlinks=True)
        for system in landing.iterdir():
            month = system / last_month
            if month.is_dir():
                shutil.copytree(
                    month, partial / "landing" / system.name / last_month, copy_function=os.link
                )
        run([XIAOGE, "ingest"], environment(partial), steps["month_ingest"])
        run([XIAOGE, "build"], environment(partial), steps["month_build"])
        differing.append(in_child(kpis_identical, home, partial))
    # the run with the most KPI rows differing from the full build (any fails the target)
    identical = max(differing, key=lambda rows: rows[1])
    print("dashboard queries and first paint")
    queries = in_child(page_queries, home)
    paint = in_child(first_paint, home)
    write_report(options, generated, counts, steps, identical, queries, paint)


if __name__ == "__main__":
    main()
