"""Shared fixtures: a demo home built once per test session, and helpers to run the CLI."""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

XIAOGE = str(Path(sys.executable).with_name("xiaoge"))
# The pseudonymisation key for this test session: a fresh file outside every test home,
# created by the first `xiaoge demo` (as a first demo on a new machine would).
os.environ.setdefault(
    "XIAOGE_PII_KEY_FILE", str(Path(tempfile.mkdtemp(prefix="xiaoge-key-")) / "pii.key")
)
ARTIFACTS = Path(__file__).resolve().parents[1] / "test-artifacts"


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


@pytest.fixture(scope="session")
def demo_home(tmp_path_factory: pytest.TempPathFactory, worker_id: str) -> Path:
    """A home folder after `xiaoge demo --no-serve` on the small scale. Treat it as read-only.

    Built once per `make test`: under pytest-xdist the first worker to need it builds it in
    the run's shared temporary folder while the others wait for the lock."""
    shared = tmp_path_factory.getbasetemp()
    if worker_id != "master":
        shared = shared.parent
    home, built = shared / "demo-home", shared / "demo-home.built"
    with (shared / "demo-home.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not built.exists():
            shutil.rmtree(home, ignore_errors=True)
            home.mkdir()
            # For a quick edit-test loop on code that does not change the build, a developer may
            # point XIAOGE_TEST_DEMO_HOME at a home already built by `xiaoge demo --no-serve`
            # (CONTRIBUTING). CI never sets it: every `make test` builds its own demo.
            prebuilt = os.environ.get("XIAOGE_TEST_DEMO_HOME")
            if prebuilt:
                shutil.copytree(prebuilt, home, symlinks=True, dirs_exist_ok=True)
            else:
                run_cli(home, "demo", "--no-serve")
            built.touch()
    return home


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
# file at the end. The rest follow in their usual order.
SLOW_FILES = (
    "test_dbt_conventions.py",  # needs no demo: runs while the other worker builds it
    "test_publish.py",
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
