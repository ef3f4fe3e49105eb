"""A Spark standalone cluster on 127.0.0.1 from the pyspark install: a master and one worker,
each its own JVM, on free ports; the worker starts executors as JVMs of their own."""

from __future__ import annotations

import json
import os
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from tests.processes import free_port, stop_group
from warehouse.spark import DEFAULT_JAVA_HOME


@dataclass(frozen=True)
class Cluster:
    master_url: str  # spark://127.0.0.1:port, for XIAOGE_SPARK_MASTER
    master_status: str  # the master's JSON status page
    worker_status: str  # the worker's JSON status page
    worker_dir: Path  # where the worker keeps each executor's folder and logs
    pids: tuple[int, int]  # master, worker

    def master(self) -> dict:
        return _get_json(self.master_status)

    def worker(self) -> dict:
        return _get_json(self.worker_status)


def _get_json(url: str) -> dict:
    with urllib.request.urlopen(url, timeout=10) as response:
        return json.load(response)


def _wait_for(what: str, check, log: Path, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if check():
                return
        except OSError:
            pass
        time.sleep(1)
    raise AssertionError(f"{what} did not start in {timeout:.0f} s:\n{log.read_text()[-3000:]}")


@contextmanager
def standalone_cluster(
    folder: Path, worker_cores: int = 2, worker_memory: str = "1536m"
) -> Iterator[Cluster]:
    import pyspark

    spark_home = Path(pyspark.__file__).parent
    spark_class = str(spark_home / "bin" / "spark-class")
    folder.mkdir(parents=True, exist_ok=True)
    worker_dir = folder / "worker"
    env = {
        **os.environ,
        "SPARK_HOME": str(spark_home),
        "JAVA_HOME": os.environ.get("JAVA_HOME") or DEFAULT_JAVA_HOME,
        "SPARK_LOCAL_IP": "127.0.0.1",
        "SPARK_LOG_DIR": str(folder / "logs"),
    }
    master_port, master_ui, worker_ui = free_port(), free_port(), free_port()
    commands = {
        "master": [
            spark_class, "org.apache.spark.deploy.master.Master",
            "--host", "127.0.0.1", "--port", str(master_port), "--webui-port", str(master_ui),
        ],
        "worker": [
            spark_class, "org.apache.spark.deploy.worker.Worker",
            f"spark://127.0.0.1:{master_port}",
            "--host", "127.0.0.1", "--webui-port", str(worker_ui),
            "--cores", str(worker_cores), "--memory", worker_memory,
            "--work-dir", str(worker_dir),
        ],
    }  # fmt: skip
    processes: dict[str, subprocess.Popen] = {}
    cluster = Cluster(
        f"spark://127.0.0.1:{master_port}",
        f"http://127.0.0.1:{master_ui}/json/",
        f"http://127.0.0.1:{worker_ui}/json/",
        worker_dir,
        (0, 0),
    )
    try:
        for name, command in commands.items():
            log = folder / f"{name}.log"
            with log.open("wb") as out:
                # spark-class execs the JVM: the PID is the daemon's own
                processes[name] = subprocess.Popen(
                    command, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
                )
            if name == "master":
                _wait_for("master", lambda: cluster.master()["status"] == "ALIVE", log)
            else:
                _wait_for(
                    "worker",
                    lambda: any(w["state"] == "ALIVE" for w in cluster.master()["workers"]),
                    log,
                )
        yield Cluster(
            cluster.master_url,
            cluster.master_status,
            cluster.worker_status,
            worker_dir,
            (processes["master"].pid, processes["worker"].pid),
        )
    finally:
        for name in ("worker", "master"):  # the worker first: it stops its executors
            process = processes.get(name)
            if process is None:
                continue
            stop_group(process, timeout=60)
