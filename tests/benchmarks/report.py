"""The benchmark's report, docs/performance.md: each measure against its target, the runs'
seconds, the page data functions' timings, and the notes kept in notes.md."""

from __future__ import annotations

import os
import platform
from pathlib import Path

import duckdb

NOTES = Path(__file__).with_name("notes.md")
TARGETS = {
    "compound_entries": 100_000_000,
    "distinct_workers": 250_000,
    "ingest_ratio": 2.0,
    "build_ratio": 1.5,
    "build_seconds": 300,
    "incremental_share": 0.15,
    "query_p95_ms": 200,
    "paint_seconds": 3,
    "export_seconds": 60,
    "peak_rss_gb": 8,
}


def write_report(options, generated, counts, steps, identical, queries, paint) -> None:
    ingest, copy, build, bare, defaults, export = (
        steps[n] for n in ("ingest", "copy", "build", "bare", "bare_defaults", "export")
    )
    month_seconds = steps["month_ingest"].median + steps["month_build"].median
    full_seconds = ingest.median + build.median
    peak_mb = max(step.peak_rss_mb for step in steps.values())
    slowest = max(queries["by_function"].items(), key=lambda item: item[1][1])
    entries, workers = counts["compound entries (sum)"], counts["distinct workers"]
    rows = [
        (
            "0. data size: compound entries / distinct workers",
            f"{entries:,} / {workers:,}",
            f">= {TARGETS['compound_entries']:,} / >= {TARGETS['distinct_workers']:,}",
            entries >= TARGETS["compound_entries"] and workers >= TARGETS["distinct_workers"],
        ),
        (
            "1. ingest / DuckDB bare copy",
            f"{ingest.median:.1f} s / {copy.median:.1f} s = {ingest.median / copy.median:.2f}x",
            f"<= {TARGETS['ingest_ratio']}x",
            ingest.median / copy.median <= TARGETS["ingest_ratio"],
        ),
        (
            "2. xiaoge build / compiled SQL (at the build's DuckDB limits; at DuckDB's defaults)",
            f"{build.median:.1f} s / {bare.median:.1f} s = {build.median / bare.median:.2f}x "
            f"({build.median / defaults.median:.2f}x against "
            f"{defaults.median:.1f} s)",
            f"<= {TARGETS['build_ratio']}x and < {TARGETS['build_seconds']} s",
            build.median / bare.median <= TARGETS["build_ratio"]
            and build.median < TARGETS["build_seconds"],
        ),
        (
            "3. one new month: ingest + build / full ingest + build",
            f"({steps['month_ingest'].median:.1f} s + {steps['month_build'].median:.1f} s) / "
            f"{full_seconds:.1f} s = {month_seconds / full_seconds:.1%}; KPI rows differing "
            f"from the full build: {identical[1]} of {identical[0]:,}",
            f"<= {TARGETS['incremental_share']:.0%}",
            month_seconds / full_seconds <= TARGETS["incremental_share"] and identical[1] == 0,
        ),
        (
            "4a. page queries p50 / p95, pooled; the slowest function's p95",
            f"{queries['p50']:.0f} ms / {queries['p95']:.0f} ms ({queries['queries']:,} queries); "
            f"`{slowest[0]}` {slowest[1][1]:.0f} ms",
            f"p95 < {TARGETS['query_p95_ms']} ms for every function",
            slowest[1][1] < TARGETS["query_p95_ms"],
        ),
        (
            "4b. overview first paint (headless Chromium)",
            f"{paint:.1f} s",
            f"< {TARGETS['paint_seconds']} s",
            paint < TARGETS["paint_seconds"],
        ),
        (
            "5. xiaoge export (one month)",
            f"{export.median:.1f} s",
            f"< {TARGETS['export_seconds']} s",
            export.median < TARGETS["export_seconds"],
        ),
        (
            "6. peak RSS of any step",
            ", ".join(f"{s.name} {s.peak_rss_mb:,.0f} MB" for s in steps.values() if s.peak_rss_mb),
            f"< {TARGETS['peak_rss_gb']} GB",
            peak_mb / 1024 < TARGETS["peak_rss_gb"],
        ),
    ]
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    lines = [
        "# Performance",
        "",
        "<!-- Written by `make bench` (tests/benchmarks/bench.py); the notes at the end come "
        "from tests/benchmarks/notes.md. -->",
        "",
        f"Measured by `make bench` ({options.scale} scale, {runs_text(options.runs)}) on "
        f"{platform.machine()} with {os.cpu_count()} cores, {memory:.0f} GB, "
        f"Python {platform.python_version()}, DuckDB {duckdb.__version__}.",
        "",
        f"Data: {generated['files']:,} landing files, {generated['bytes'] / 2**20:,.0f} MB, "
        f"generated in {generated['seconds']:.0f} s (peak {generated['peak_rss_mb']:,.0f} MB). "
        "Rows: " + ", ".join(f"{name} {count:,}" for name, count in counts.items()) + ".",
        "",
        "| measure | result | target | met |",
        "| --- | --- | --- | --- |",
        *(
            f"| {name} | {result} | {target} | {'yes' if met else '**no**'} |"
            for name, result, target, met in rows
        ),
        "",
        "Each run's seconds: "
        + "; ".join(
            f"{s.name} " + ", ".join(f"{v:.1f}" for v in s.seconds)
            for s in steps.values()
            if s.seconds
        )
        + ".",
        "",
        "Page data functions (uncached; median / p95 in ms):",
        "",
        "| function | median | p95 |",
        "| --- | ---: | ---: |",
        *(
            f"| `{name}` | {median:.0f} | {p95:.0f} |"
            for name, (median, p95) in sorted(
                queries["by_function"].items(), key=lambda item: -item[1][1]
            )
        ),
        "",
        NOTES.read_text(encoding="utf-8").strip(),
        "",
    ]
    options.out.write_text("\n".join(lines), encoding="utf-8")
    print("\n".join(lines))


def runs_text(runs: int) -> str:
    """How the figures were taken: one run (`--runs 1`) is not a median, and the report
    says so, because the target asks for the median of three."""
    return f"median of {runs} runs" if runs > 1 else "one run, not a median"
