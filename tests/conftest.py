"""Shared fixtures: a demo home built once per test session, and helpers to run the CLI."""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pytest

XIAOGE = str(Path(sys.executable).with_name("xiaoge"))
# The pseudonymisation key for this test session: a fresh file outside every test home,
# created by the first `xiaoge demo` (as a first demo on a new machine would).
os.environ.setdefault(
    "XIAOGE_PII_KEY_FILE", str(Path(tempfile.mkdtemp(prefix="xiaoge-key-")) / "pii.key")
)
ARTIFACTS = Path(__file__).resolve().parents[1] / "test-artifacts"
# pyspark's Spark Connect package ends the process when __main__ has neither a spec nor a file
# (it takes that for a doctest run), which is what a pytest-xdist worker's __main__ looks like;
# Great Expectations imports it when pyspark is installed. Our own processes have a file.
if getattr(sys.modules["__main__"], "__spec__", None) is None:
    sys.modules["__main__"].__dict__.setdefault("__file__", "<pytest-xdist worker>")


def run_cli(
    home: Path, *args: str, check: bool = True, timeout: float = 600
) -> subprocess.CompletedProcess:
    """Run `xiaoge` in a child process with XIAOGE_HOME set, as a user would."""
    env = {**os.environ, "XIAOGE_HOME": str(home)}
    result = subprocess.run(
        [XIAOGE, *args], env=env, capture_output=True, text=True, timeout=timeout, check=False
    )
    if check and result.returncode != 0:
        raise AssertionError(
            f"xiaoge {' '.join(args)} exited {result.returncode}:\n{result.stderr}"
        )
    return result


def kpi_json(home: Path, *args: str) -> dict:
    return json.loads(run_cli(home, "kpi", "--json", *args).stdout)


def _built_once(tmp_path_factory: pytest.TempPathFactory, worker_id: str, name: str, make) -> Path:
    """The folder `name`, made by `make(folder)` once per `make test`: under pytest-xdist the
    first worker to need it makes it in the run's shared temporary folder while the others
    wait for the lock."""
    shared = tmp_path_factory.getbasetemp()
    if worker_id != "master":
        shared = shared.parent
    folder, built = shared / name, shared / f"{name}.built"
    with (shared / f"{name}.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not built.exists():
            shutil.rmtree(folder, ignore_errors=True)
            folder.mkdir()
            make(folder)
            built.touch()
    return folder


@pytest.fixture(scope="session")
def demo_home(tmp_path_factory: pytest.TempPathFactory, worker_id: str) -> Path:
    """A home folder after `xiaoge demo --no-serve` on the small scale. Treat it as read-only."""

    def make(home: Path) -> None:
        # For a quick edit-test loop on code that does not change the build, a developer may
        # point XIAOGE_TEST_DEMO_HOME at a home already built by `xiaoge demo --no-serve`
        # (CONTRIBUTING). CI never sets it: every `make test` builds its own demo.
        prebuilt = os.environ.get("XIAOGE_TEST_DEMO_HOME")
        if prebuilt:
            shutil.copytree(prebuilt, home, symlinks=True, dirs_exist_ok=True)
        else:
            run_cli(home, "demo", "--no-serve")

    return _built_once(tmp_path_factory, worker_id, "demo-home", make)


def deliver_party_orgs_correction(home: Path, month: str) -> Path:
    """The party-building office re-sends a month's registry: one delivery organisation was
    merged (its 撤销日期 set), so the city has one organisation fewer."""
    path = home / "landing" / "organisation" / month / "party_orgs.csv"
    frame = pd.read_csv(path, encoding="gbk", dtype=str, keep_default_na=False)
    active = frame[(frame["服务群体"] == "网约配送员") & (frame["撤销日期"] == "")].index
    frame.loc[active[0], "撤销日期"] = f"{month}-15"
    frame.to_csv(path, index=False, encoding="gbk", lineterminator="\r\n")
    return path


@dataclass(frozen=True)
class CorrectedHome:
    """The demo home after two late corrections were ingested and built (see the fixture)."""

    home: Path
    export_before: str  # what `xiaoge export` of CORRECTED_MONTH said before they came
    build: str  # what the (incremental) build after them said, line wrapping undone
    files: tuple[Path, Path]  # the platform's activity file, the party-organisation registry


CORRECTED_MONTH = "2025-06"


@pytest.fixture(scope="session")
def corrected_home(
    demo_home: Path, tmp_path_factory: pytest.TempPathFactory, worker_id: str
) -> CorrectedHome:
    """A copy of the demo home after two late corrections arrive, are ingested by name and
    built: a platform's activity file of an earlier month (platform.CORRECTION) re-sent with
    higher incomes, and CORRECTED_MONTH's party-organisation registry with one organisation
    merged. Shared by the tests of what a correction changes; treat it as read-only."""
    from warehouse.generate import platform

    def make(home: Path) -> None:
        shutil.copytree(demo_home, home, symlinks=True, dirs_exist_ok=True)
        said = {"export_before": run_cli(home, "export", "--month", CORRECTED_MONTH).stderr}
        files = [
            platform.write_late_correction(home / "landing"),
            deliver_party_orgs_correction(home, CORRECTED_MONTH),
        ]
        run_cli(home, "ingest", *map(str, files))
        build = run_cli(home, "build")
        said["build"] = (build.stdout + build.stderr).replace("\n", "")
        said["files"] = [str(p.relative_to(home)) for p in files]
        (home.parent / "corrected-home.json").write_text(json.dumps(said), encoding="utf-8")

    home = _built_once(tmp_path_factory, worker_id, "corrected-home", make)
    said = json.loads((home.parent / "corrected-home.json").read_text(encoding="utf-8"))
    activity, registry = (home / p for p in said.pop("files"))
    return CorrectedHome(home=home, files=(activity, registry), **said)


@pytest.fixture
def fresh_home(tmp_path: Path) -> Path:
    """An empty home folder for tests that change what is loaded or published."""
    home = tmp_path / "home"
    home.mkdir()
    return home


@pytest.fixture
def copy_of_demo_home(demo_home: Path, tmp_path: Path) -> Path:
    """A private copy of the demo home for tests that ingest, build or publish more."""
    target = tmp_path / "demo-copy"
    shutil.copytree(demo_home, target, symlinks=True)
    return target


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


# The test files that take minutes, slowest first: `make test` hands whole files to two
# workers in this order (pytest-xdist, --dist loadfile), so that neither is left with a long
# file at the end. The rest follow in their usual order. The first worker starts with the
# files that need no demo home while the second builds it (test_publish's first test).
SLOW_FILES = (
    "test_dbt_conventions.py",
    "test_publish.py",
    "test_ingest_refusals.py",
    "test_ingest_ledger_properties.py",
    "test_spark.py",
    "test_release.py",
    "test_export.py",
    "test_incremental_build.py",
    "test_corrections.py",
    "test_generate_people.py",
    "test_add_kpi.py",
    "test_demo_in_browser.py",
    "test_disclosure.py",
    "test_dashboard_pages.py",
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    rank = {name: position for position, name in enumerate(SLOW_FILES)}
    items.sort(key=lambda item: rank.get(item.path.name, len(SLOW_FILES)))
