"""The import layers of pyproject.toml's [tool.importlinter] hold, and a forbidden import breaks them."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
LINT_IMPORTS = str(Path(sys.executable).with_name("lint-imports"))


def lint_imports(tree: Path) -> subprocess.CompletedProcess:
    """`lint-imports` with the project's configuration, over the packages under `tree`."""
    env = {**os.environ, "PYTHONPATH": str(tree)}
    return subprocess.run(
        [LINT_IMPORTS, str(tree / "pyproject.toml"), "--no-cache"],
        cwd=tree,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    """A copy of the packages and the configuration, to break on purpose."""
    ignore = shutil.ignore_patterns("__pycache__", "notebooks", "*.yml")
    for package in ("warehouse", "dashboards"):
        shutil.copytree(ROOT / package, tmp_path / package, ignore=ignore)
    shutil.copy(ROOT / "pyproject.toml", tmp_path)
    return tmp_path


def add_import(module: Path, statement: str) -> None:
    text = module.read_text(encoding="utf-8")
    head, rest = text.split("from __future__ import annotations\n", 1)
    module.write_text(f"{head}from __future__ import annotations\n{statement}\n{rest}")


def test_the_project_keeps_its_layers():
    result = lint_imports(ROOT)
    assert result.returncode == 0, result.stdout


@pytest.mark.parametrize(
    ("module", "statement", "contract", "broken"),
    [
        (
            "warehouse/config.py",
            "import warehouse.export",
            "Warehouse layers",
            "warehouse.config is not allowed to import warehouse.export",
        ),
        (
            "warehouse/kpis.py",
            "import dashboards.data",
            "the warehouse never imports the dashboards",
            "warehouse is not allowed to import dashboards",
        ),
        (
            "warehouse/present/format.py",
            "import warehouse.present.charts",
            "No import cycles between sibling modules",
            "No cycles are allowed in warehouse.present",
        ),
    ],
)
def test_a_forbidden_import_breaks_its_contract(
    tree: Path, module: str, statement: str, contract: str, broken: str
):
    add_import(tree / module, statement)
    result = lint_imports(tree)
    assert result.returncode != 0
    report = " ".join(result.stdout.split())  # contract names wrap at 80 columns
    assert f"{contract}" in report and "BROKEN" in report, report
    broken_section = report.split("Broken contracts", 1)[1]
    assert contract in broken_section and broken in broken_section, report
