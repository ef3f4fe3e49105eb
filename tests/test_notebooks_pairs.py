"""`make lint` fails on a notebook whose jupytext pair has drifted (make notebooks-check)."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
NOTEBOOKS = REPO / "dashboards" / "notebooks"


def notebooks_check(folder: Path) -> subprocess.CompletedProcess:
    # -o: the venv is already installed; the target is the one `make lint` runs
    return subprocess.run(
        ["make", "-s", "-o", ".venv/.installed", "notebooks-check", f"NOTEBOOKS={folder}"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_make_lint_runs_the_pair_check():
    dry_run = subprocess.run(
        ["make", "-n", "-o", ".venv/.installed", "-o", ".venv-dbt-bouncer/.installed", "lint"],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=True,
    )
    assert "python -m warehouse.lab check dashboards/notebooks" in dry_run.stdout


def test_the_committed_notebooks_match_their_pairs():
    result = notebooks_check(NOTEBOOKS)
    assert result.returncode == 0, result.stderr


def test_a_drifted_pair_an_output_or_a_missing_pair_fails(tmp_path: Path):
    folder = tmp_path / "notebooks"
    shutil.copytree(NOTEBOOKS, folder)
    pair = folder / "02_insurance_gaps_by_district.py"
    pair.write_text(pair.read_text("utf-8").replace("参保缺口", "参保情况", 1), encoding="utf-8")
    notebook = folder / "04_xiaogema_before_after.ipynb"
    content = json.loads(notebook.read_text("utf-8"))
    code = next(c for c in content["cells"] if c["cell_type"] == "code")
    code["outputs"] = [{"output_type": "stream", "name": "stdout", "text": ["1\n"]}]
    notebook.write_text(json.dumps(content, ensure_ascii=False), encoding="utf-8")
    (folder / "03_station_coverage_by_street.py").unlink()

    result = notebooks_check(folder)
    assert result.returncode != 0
    said = result.stderr
    assert (
        "02_insurance_gaps_by_district.ipynb 与 02_insurance_gaps_by_district.py 的单元格不一致"
        in said
    )
    assert "04_xiaogema_before_after.ipynb: 有运行输出" in said
    assert (
        "03_station_coverage_by_street.ipynb: 缺少配对的 03_station_coverage_by_street.py" in said
    )
    assert "01_retention_cohorts" not in said and "05_district_analysis" not in said
