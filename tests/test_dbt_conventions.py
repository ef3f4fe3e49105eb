"""The dbt convention linter (`make lint`: dbt parse, dbt-bouncer, tests/dbt_rules.py) passes
on the project and fails, naming the broken thing, when one convention is broken."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
BOUNCER = ROOT / ".venv-dbt-bouncer" / "bin" / "dbt-bouncer"
DBT = Path(sys.executable).parent / "dbt"


def lint(project: Path) -> tuple[bool, str]:
    """`make lint`'s dbt steps on a copy of the project: whether all passed, and their output."""
    env = {
        **os.environ,
        "XIAOGE_BUILD_DB": ":memory:",
        "PYTHONPATH": str(ROOT),
        "COLUMNS": "400",  # dbt-bouncer's table: whole names, not cut short
    }
    steps = [
        ([str(DBT), "parse", "--quiet", "--profiles-dir", "."], project / "dbt"),
        ([str(BOUNCER), "--config-file", "dbt/dbt-bouncer.yml"], project),
        ([sys.executable, "-m", "tests.dbt_rules", "dbt/target/manifest.json"], project),
    ]
    passed, output = True, ""
    for command, cwd in steps:
        run = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True)
        output += run.stdout + run.stderr
        if run.returncode != 0:
            passed = False
            if command[0] == str(DBT):
                break  # nothing to check without a manifest
    return passed, output


@pytest.fixture
def project(tmp_path: Path) -> Path:
    if not BOUNCER.exists():
        pytest.fail(
            "dbt-bouncer is not installed: run `make lint` once (it builds .venv-dbt-bouncer)"
        )
    ignore = shutil.ignore_patterns("target", "logs", "dbt_packages", ".user.yml")
    shutil.copytree(ROOT / "dbt", tmp_path / "dbt", ignore=ignore)
    shutil.copytree(ROOT / "seeds", tmp_path / "seeds")
    return tmp_path


def models(project: Path) -> Path:
    return project / "dbt" / "models"


def test_the_project_passes(project: Path):
    passed, output = lint(project)
    assert passed, output


def add_exposure(project: Path, name: str, reads: str) -> None:
    """A notebook exposure reading one node, appended to the project's exposures."""
    exposures = models(project) / "exposures" / "_exposures.yml"
    exposures.write_text(
        exposures.read_text(encoding="utf-8")
        + f"""
  - name: {name}
    type: notebook
    owner: {{name: someone}}
    depends_on:
      - ref('{reads}')
""",
        encoding="utf-8",
    )


def protected_model_exposed(project: Path) -> list[str]:
    add_exposure(project, "reads_person_rows", "int_workers_registered")
    return ["check_exposure_based_on_non_public_models", "reads_person_rows"]


def seed_exposed(project: Path) -> list[str]:
    # the evaluator's rule (dbt-bouncer's check lets seeds through)
    add_exposure(project, "reads_the_seed", "kpi_catalogue")
    return ["reads_the_seed: exposure on a non-public resource: it reads kpi_catalogue"]


def _drop_from_key_tests(properties: Path, kept: str) -> None:
    text = properties.read_text(encoding="utf-8")
    assert "data_tests: [unique, not_null]" in text
    properties.write_text(text.replace("data_tests: [unique, not_null]", f"data_tests: [{kept}]"))


def primary_key_without_unique(project: Path) -> list[str]:
    _drop_from_key_tests(models(project) / "marts" / "core" / "dim_platform.yml", "not_null")
    return ["check_model_has_unique_test", "dim_platform: missing primary-key test"]


def primary_key_without_not_null(project: Path) -> list[str]:
    # the evaluator's rule: unique and not_null on one column (dbt-bouncer asks for unique only)
    _drop_from_key_tests(
        models(project) / "intermediate" / "xiaogema" / "int_workers_registered.yml", "unique"
    )
    return ["int_workers_registered: missing primary-key test"]


def upstream_concept_rejoined(project: Path) -> list[str]:
    service = models(project) / "intermediate" / "service"
    (service / "int_scenes_ranked.sql").write_text(
        "select * from {{ ref('int_scene_months_expanded') }}\n"
    )
    (service / "int_scenes_rejoined.sql").write_text(
        "select * from {{ ref('int_scenes_ranked') }}\n"
        "union all\n"
        "select * from {{ ref('int_scene_months_expanded') }}\n"
    )
    return [
        "int_scenes_rejoined: rejoining of upstream concepts: it reads int_scene_months_expanded "
        "both directly and through int_scenes_ranked"
    ]


def intermediate_named_without_a_verb(project: Path) -> list[str]:
    service = models(project) / "intermediate" / "service"
    (service / "int_scene_counts.sql").write_text(
        "select month_start, count(*) as scenes from {{ ref('int_scene_months_expanded') }}"
        " group by month_start\n"
    )
    return ["check_model_names", "int_scene_counts"]


def too_many_joins(project: Path) -> list[str]:
    seeds = ["districts", "streets", "platforms", "work_types", "worker_roles", "age_bands"]
    (models(project) / "marts" / "core" / "dim_everything.sql").write_text(
        "\nunion all\n".join(
            f"select '{seed}' as name from {{{{ ref('{seed}') }}}}"
            for seed in [*seeds, "provinces"]
        )
        + "\n"
    )
    return ["dim_everything: too many joins: it reads 7"]


BROKEN_CONVENTIONS = (
    protected_model_exposed,
    seed_exposed,
    primary_key_without_unique,
    primary_key_without_not_null,
    upstream_concept_rejoined,
    intermediate_named_without_a_verb,
    too_many_joins,
)


def test_each_broken_convention_fails_the_lint_by_name_and_a_documented_reason_lets_it_pass(
    project: Path,
):
    """Every convention broken at once in one copy (one dbt parse, not one per convention):
    the lint fails and names each; then the too-many-joins model documents its reason."""
    expected = {breaks.__name__: breaks(project) for breaks in BROKEN_CONVENTIONS}
    passed, output = lint(project)
    assert not passed
    missing = {name: [t for t in texts if t not in output] for name, texts in expected.items()}
    assert not {name: texts for name, texts in missing.items() if texts}, output

    (models(project) / "marts" / "core" / "dim_everything.yml").write_text(
        """version: 2

models:
  - name: dim_everything
    description: Every reference list.
    config:
      contract: {enforced: false}  # a sketch: its reason is what this checks
      meta:
        evaluator_exception:
          rule: too_many_joins
          reason: A union of the reference lists, one arm each.
"""
    )
    _, output = lint(project)
    assert "dim_everything: too many joins" not in output
    assert "int_workers_registered: missing primary-key test" in output
