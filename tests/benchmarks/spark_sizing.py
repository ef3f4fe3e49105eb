"""The build step on DuckDB and on Spark, at small and city scale, for docs/scale-out.md.

For each scale: the landing files (generated once, as `make bench` does), ingested into a new
home; then `xiaoge build` (DuckDB) and `xiaoge build --target spark` (local mode, the driver
and executors in one JVM), each timed, with the peak memory of its whole process tree (dbt and
the JVM together, sampled) and, for Spark, the shuffle bytes written and read from its event log.

    python -m tests.benchmarks.spark_sizing [--scales small city] [--dir DIR]

Prints a Markdown table and writes it, with the raw figures, to DIR/spark-sizing.json.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import psutil

from tests.benchmarks.steps import XIAOGE, bench_folder, environment, fresh_home, generate

REPO = Path(__file__).resolve().parents[2]
# city scale needs more room than the small demo's defaults
SPARK_SETTINGS = {
    "small": {"XIAOGE_SPARK_DRIVER_MEMORY": "2g", "XIAOGE_SPARK_SHUFFLE_PARTITIONS": "4"},
    "city": {"XIAOGE_SPARK_DRIVER_MEMORY": "8g", "XIAOGE_SPARK_SHUFFLE_PARTITIONS": "16"},
}


def timed(args: list[str], env: dict) -> dict:
    """Wall seconds and the peak of the summed RSS of the command and all its descendants."""
    with tempfile.TemporaryFile() as errors:  # a file, not a pipe: a full pipe would block it
        start = time.perf_counter()
        child = subprocess.Popen(args, env=env, stdout=subprocess.DEVNULL, stderr=errors)
        parent = psutil.Process(child.pid)
        peak = 0
        while child.poll() is None:
            peak = max(peak, _tree_rss(parent))
            time.sleep(0.25)
        seconds = time.perf_counter() - start
        if child.returncode != 0:
            errors.seek(0)
            raise SystemExit(f"{' '.join(args)} failed:\n{errors.read().decode()[-3000:]}")
    return {"seconds": round(seconds, 1), "peak_rss_mb": round(peak / 2**20)}


def _tree_rss(parent: psutil.Process) -> int:
    total = 0
    with contextlib.suppress(psutil.NoSuchProcess):
        for process in [parent, *parent.children(recursive=True)]:
            with contextlib.suppress(psutil.NoSuchProcess):
                total += process.memory_info().rss
    return total


def shuffle_bytes(event_logs: Path) -> dict:
    """Shuffle bytes written and read, summed over every task in the event log(s)."""
    written = read = tasks = 0
    # Spark writes a folder per application (rolling event logs) or one file
    for log in sorted(p for p in event_logs.rglob("*") if p.is_file()):
        with log.open(encoding="utf-8") as lines:
            for line in lines:
                if '"SparkListenerTaskEnd"' not in line:
                    continue
                metrics = json.loads(line).get("Task Metrics") or {}
                tasks += 1
                written += metrics.get("Shuffle Write Metrics", {}).get("Shuffle Bytes Written", 0)
                remote = metrics.get("Shuffle Read Metrics", {})
                read += remote.get("Remote Bytes Read", 0) + remote.get("Local Bytes Read", 0)
    return {
        "shuffle_written_mb": round(written / 2**20),
        "shuffle_read_mb": round(read / 2**20),
        "tasks": tasks,
    }


def measure(bench: Path, scale: str) -> dict:
    landing, generated = generate(bench, scale)
    home = fresh_home(bench, landing, f"sizing-{scale}")
    env = environment(home)
    ingest = timed([XIAOGE, "ingest"], env)
    duckdb_build = timed([XIAOGE, "build"], env)
    events = bench / f"sizing-{scale}-events"
    events.mkdir(exist_ok=True)
    shutil.rmtree(events)
    events.mkdir()
    spark_env = {**env, **SPARK_SETTINGS[scale], "XIAOGE_SPARK_EVENT_LOG": events.as_uri()}
    spark_build = timed([XIAOGE, "build", "--target", "spark"], spark_env)
    raw_mb = sum(p.stat().st_size for p in (home / "raw").rglob("*.parquet")) / 2**20
    return {
        "scale": scale,
        "landing_files": generated["files"],
        "landing_mb": round(generated["bytes"] / 2**20),
        "raw_parquet_mb": round(raw_mb),
        "ingest": ingest,
        "duckdb_build": duckdb_build,
        "spark_build": {**spark_build, **shuffle_bytes(events)},
        "spark_settings": SPARK_SETTINGS[scale],
    }


def table(results: list[dict]) -> str:
    rows = [
        "| scale | raw zone | engine | build wall time | peak memory (process tree) | shuffle written / read |",
        "| --- | ---: | --- | ---: | ---: | ---: |",
    ]
    for r in results:
        d, s = r["duckdb_build"], r["spark_build"]
        raw = f"{r['raw_parquet_mb']:,} MB"
        rows.append(
            f"| {r['scale']} | {raw} | DuckDB | {d['seconds']:,.0f} s | {d['peak_rss_mb']:,} MB | none |"
        )
        rows.append(
            f"| {r['scale']} | {raw} | Spark local[2] | {s['seconds']:,.0f} s | {s['peak_rss_mb']:,} MB "
            f"| {s['shuffle_written_mb']:,} MB / {s['shuffle_read_mb']:,} MB |"
        )
    return "\n".join(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scales", nargs="+", default=["small", "city"], choices=["small", "city"])
    parser.add_argument("--dir", type=Path, default=REPO / "data" / "bench")
    options = parser.parse_args()
    bench = bench_folder(options.dir)
    results = []
    for scale in options.scales:
        print(f"{scale}: generate, ingest, DuckDB build, Spark build", flush=True)
        results.append(measure(bench, scale))
        (bench / "spark-sizing.json").write_text(json.dumps(results, indent=2))
        print(json.dumps(results[-1]), flush=True)
    print(table(results))


if __name__ == "__main__":
    main()
