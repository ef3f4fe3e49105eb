"""Strict JSON from every command and file.

Every `--json` output and every JSON file under a demo home must parse with a reader that
refuses `NaN` and `Infinity`, as JavaScript's `JSON.parse` does (warehouse/strict_json.py).
"""

from __future__ import annotations

import csv
import json
import shutil
from datetime import date, datetime
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import typer

from tests.conftest import kpi_json, run_cli
from warehouse import strict_json
from warehouse.cli import app

MONTH = "2025-06"
DISTRICT = "330127"  # 淳安县: small counts, so many of its breakdown figures are hidden


def _refuse(constant: str) -> None:
    raise ValueError(f"not strict JSON: {constant}")


def strict_loads(text: str) -> object:
    """json.loads refusing NaN, Infinity and -Infinity, as JSON.parse does."""
    return json.loads(text, parse_constant=_refuse)


# --- the helper -------------------------------------------------------------------------------


def test_dumps_writes_null_for_every_missing_value():
    frame = pd.DataFrame({"group_code": ["delivery", None], "value": [1.5, np.nan]})
    data = {
        "nan": float("nan"),
        "inf": float("inf"),
        "minus_inf": -np.inf,
        "numpy_nan": np.float32("nan"),
        "pd_na": pd.NA,
        "nat": pd.NaT,
        "none": None,
        "records": frame.to_dict(orient="records"),
        "series": pd.Series([1.0, None]),
        "array": np.array([np.nan, 2.0]),
    }
    text = strict_json.dumps(data, indent=2)
    assert strict_loads(text) == {
        "nan": None,
        "inf": None,
        "minus_inf": None,
        "numpy_nan": None,
        "pd_na": None,
        "nat": None,
        "none": None,
        "records": [
            {"group_code": "delivery", "value": 1.5},
            {"group_code": None, "value": None},
        ],
        "series": [1.0, None],
        "array": [None, 2.0],
    }


def test_dumps_makes_numpy_scalars_and_dates_plain():
    data = {
        "count": np.int64(50),
        "share": np.float64(0.25),
        "flag": np.bool_(True),
        "month": date(2025, 6, 1),
        "built": datetime(2025, 8, 1, 12, 0, 0),
        "stamp": pd.Timestamp("2025-06-01"),
        "when": np.datetime64("2025-06-01T08:30:00"),
        "path": Path("exports/2025-06/v1"),
        np.int64(7): "numpy key",
        "name": "网约配送员",
    }
    text = strict_json.dumps(data)
    assert "网约配送员" in text, "Chinese text as it is, not \\u escapes"
    assert strict_loads(text) == {
        "count": 50,
        "share": 0.25,
        "flag": True,
        "month": "2025-06-01",
        "built": "2025-08-01T12:00:00",
        "stamp": "2025-06-01T00:00:00",
        "when": "2025-06-01T08:30:00",
        "path": "exports/2025-06/v1",
        "7": "numpy key",
        "name": "网约配送员",
    }


# --- every command with --json ----------------------------------------------------------------


def _json_commands() -> set[str]:
    """Every `xiaoge` command (and subcommand) that has a --json option."""
    found = set()

    def walk(command, path: list[str]) -> None:
        if any("--json" in param.opts for param in command.params):
            found.add(" ".join(path))
        for name, sub in getattr(command, "commands", {}).items():
            walk(sub, [*path, name])

    walk(typer.main.get_command(app), [])
    return found


# Each command with --json, run on the demo home: a new --json command must be added here.
JSON_RUNS = {
    "kpi": [
        ["kpi", "--json"],
        ["kpi", "--json", "--month", "2023-01"],
        ["kpi", "--json", "--district", DISTRICT],
        ["kpi", "--json", "--group", "express", "--breakdowns"],
        ["kpi", "--json", "--district", DISTRICT, "--group", "delivery", "--breakdowns"],
    ],
    "status": [["status", "--json"]],
    # on two versions of a pack: see test_export_diff_json_is_strict
    "export diff": [],
}


def test_every_json_command_is_covered():
    assert _json_commands() == set(JSON_RUNS)


@pytest.mark.parametrize(
    "args", [args for runs in JSON_RUNS.values() for args in runs], ids=" ".join
)
def test_json_output_is_strict(demo_home: Path, args: list[str]):
    stdout = run_cli(demo_home, *args).stdout
    assert "NaN" not in stdout and "Infinity" not in stdout
    assert strict_loads(stdout)


def test_kpi_json_writes_null_for_a_kpi_without_group(demo_home: Path):
    """`xiaoge kpi --json` used to write `"group": NaN` for every KPI with no group."""
    kpis = kpi_json(demo_home, "--month", MONTH)["kpis"]
    assert kpis["canteens"]["group"] is None
    assert kpis["party_orgs"]["group"] == "delivery"


def test_export_diff_json_is_strict(demo_home: Path, tmp_path: Path):
    """Two versions of the demo's pack, the second with one figure gone and one changed: the
    gone figure is null in the diff (it was NaN)."""
    home = tmp_path / "home"
    packs = home / "exports" / MONTH
    shutil.copytree(demo_home / "exports" / MONTH / "v1", packs / "v1")
    shutil.copytree(packs / "v1", packs / "v2")
    numbers = packs / "v2" / "kpis.csv"
    with numbers.open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    city = [r for r in rows if r["area"] == "全市" and not r["group_code"] and r["value"]]
    gone = next(r for r in city if r["kpi_id"] == "canteens")
    changed = next(r for r in city if r["kpi_id"] == "friendly_scenes")
    gone["value"], changed["value"] = "", str(int(float(changed["value"])) + 1)
    with numbers.open("w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)

    stdout = run_cli(home, "export", "diff", "--month", MONTH, "--json").stdout
    assert "NaN" not in stdout
    found = {r["kpi_id"]: r for r in strict_loads(stdout)}
    assert set(found) == {"canteens", "friendly_scenes"}
    assert found["canteens"]["v1"] == 770 and found["canteens"]["v2"] is None
    assert found["canteens"]["group_code"] is None and found["canteens"]["platform_code"] is None
    assert found["friendly_scenes"]["v2"] == found["friendly_scenes"]["v1"] + 1


def test_every_json_file_under_the_home_is_strict(demo_home: Path):
    """Pack manifests, version, build, plan, audit and disclosure records, the access log,
    the generator's defect list; and the files dbt and Great Expectations write there."""
    files = sorted(p for p in demo_home.rglob("*") if p.suffix in (".json", ".jsonl"))
    assert {
        "manifest.json",
        "version.json",
        "build.json",
        "plan.json",
        "audit.json",
        "disclosure.json",
        "access.jsonl",
        "_defects.json",
    } <= {p.name for p in files}
    assert (demo_home / "exports" / MONTH / "v1" / "manifest.json") in files
    for path in files:
        text = path.read_text(encoding="utf-8")
        try:
            if path.suffix == ".jsonl":
                for line in text.splitlines():
                    strict_loads(line)
            else:
                strict_loads(text)
        except ValueError as error:
            raise AssertionError(f"{path.relative_to(demo_home)}: {error}") from None
