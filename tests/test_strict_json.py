"""Strict JSON from every command and file, and `xiaoge kpi`'s group and breakdown rows.

Every `--json` output and every JSON file under a demo home must parse with a reader that
refuses `NaN` and `Infinity`, as JavaScript's `JSON.parse` does (warehouse/strict_json.py).
`xiaoge kpi --group` and `--breakdowns` must give the figures the dashboards' data module
gives for the same filters, and hidden figures only as null with their flag.
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
from tests.test_cli_errors import assert_one_line_error
from warehouse import names, strict_json
from warehouse.cli import app
from warehouse.privacy import SUPPRESSED, protected_rows

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


# --- group and breakdown rows, as the dashboards show them ------------------------------------


@pytest.fixture
def dashboard_data(demo_home: Path, monkeypatch: pytest.MonkeyPatch):
    """The dashboards' data module over the demo home, as the local city role."""
    monkeypatch.setenv("XIAOGE_HOME", str(demo_home))
    monkeypatch.delenv("XIAOGE_DEMO_ROLE", raising=False)
    from dashboards import data

    return data


def _number(value: object) -> float | None:
    return None if value is None or pd.isna(value) else float(value)


def _text(value: object) -> str | None:
    return None if value is None or pd.isna(value) else str(value)


def _from_cli(rows: list[dict]) -> dict[str, tuple]:
    return {
        r["code"]: (
            r["value"],
            r["numerator"],
            r["denominator"],
            r["suppressed"],
            r["numerator_suppressed"],
            r["denominator_suppressed"],
        )
        for r in rows
    }


def _from_dashboards(frame: pd.DataFrame, code: str) -> dict[str, tuple]:
    return {
        row[code]: (
            _number(row["value"]),
            _number(row["numerator"]),
            _number(row["denominator"]),
            bool(row["value_suppressed"]),
            bool(row["numerator_suppressed"]),
            bool(row["denominator_suppressed"]),
        )
        for _, row in frame.iterrows()
    }


@pytest.mark.parametrize("district", [None, DISTRICT])
@pytest.mark.parametrize("group", [None, *names.group_codes()])
def test_kpi_group_figures_are_the_dashboards(
    demo_home: Path, dashboard_data, group: str | None, district: str | None
):
    args = ["--month", MONTH]
    args += ["--group", group] if group else []
    args += ["--district", district] if district else []
    values = kpi_json(demo_home, *args)
    assert values.get("group_code") == group
    shown = dashboard_data.headline(dashboard_data.Scope(MONTH, district, group))
    shown = shown[shown["value_suppressed"].notna()].set_index("kpi_id")  # a row this month
    assert set(values["kpis"]) == set(shown.index)
    for kpi_id, item in values["kpis"].items():
        row = shown.loc[kpi_id]
        assert (item["value"], item["numerator"], item["denominator"]) == (
            _number(row["value"]),
            _number(row["numerator"]),
            _number(row["denominator"]),
        ), kpi_id
        assert item["suppressed"] == bool(row["value_suppressed"]), kpi_id
        assert item["group"] == _text(row["group_code"]), kpi_id
    own = [k for k, item in values["kpis"].items() if item["group"] == group]
    if group is not None:
        assert len(own) >= 5, "the group's own figures, not only the headlines"
    shown_values = [item["value"] for item in values["kpis"].values()]
    assert sum(v is not None for v in shown_values) >= 10


@pytest.mark.parametrize(
    ("district", "group"), [(None, None), (None, "ride_hailing"), (DISTRICT, None)]
)
def test_kpi_breakdowns_are_the_dashboards(
    demo_home: Path, dashboard_data, district: str | None, group: str | None
):
    args = ["--month", MONTH, "--breakdowns"]
    args += ["--group", group] if group else []
    args += ["--district", district] if district else []
    values = kpi_json(demo_home, *args)
    assert set(values["breakdowns"]) == set(values["kpis"])
    scope = dashboard_data.Scope(MONTH, district, group)
    compared = 0
    for kpi_id, rows in values["breakdowns"].items():
        assert set(rows) == {"district", "group", "platform"}
        # the dashboards chart districts for the whole city only (views.theme_page)
        expected = (
            _from_dashboards(dashboard_data.by_district(kpi_id, scope), "district_code")
            if district is None
            else {}
        )
        assert _from_cli(rows["district"]) == expected, kpi_id
        for by, column in (("group", "group_code"), ("platform", "platform_code")):
            expected = _from_dashboards(dashboard_data.breakdown(kpi_id, scope, column), "code")
            assert _from_cli(rows[by]) == expected, (kpi_id, by)
        compared += sum(len(found) for found in rows.values())
    assert compared >= (300 if district is None else 20)
    if district is None:
        workforce = values["breakdowns"]["workforce_active"]
        assert len(workforce["district"]) >= 13
        assert {r["code"] for r in workforce["group"]} == set(names.group_codes())
        assert len(workforce["platform"]) >= 6


def _flags_by_cell(demo_home: Path) -> dict[tuple, tuple[bool, bool, bool]]:
    """The served table's hidden-figure flags for the month, by (kpi, district, group, platform)."""
    rows = protected_rows(demo_home / "published" / "xiaoge.duckdb")
    rows = rows[pd.to_datetime(rows["month_start"]) == pd.Timestamp(f"{MONTH}-01")]
    return {
        (r.kpi_id, _text(r.district_code), _text(r.group_code), _text(r.platform_code)): (
            bool(r.value_suppressed),
            bool(r.numerator_suppressed),
            bool(r.denominator_suppressed),
        )
        for r in rows.itertuples(index=False)
    }


@pytest.mark.parametrize("district", [None, DISTRICT])
def test_hidden_figures_stay_hidden(demo_home: Path, district: str | None):
    flags = _flags_by_cell(demo_home)
    args = ["--month", MONTH, "--breakdowns", "--group", "delivery"]
    args += ["--district", district] if district else []
    values = kpi_json(demo_home, *args)
    hidden = 0
    for kpi_id, item in values["kpis"].items():
        value_hidden = flags[(kpi_id, district, item["group"], None)][0]
        assert item["suppressed"] == value_hidden, kpi_id
        if value_hidden:
            assert item["value"] is None, kpi_id
    for kpi_id, by_dimension in values["breakdowns"].items():
        for by, rows in by_dimension.items():
            for row in rows:
                cell = (
                    kpi_id,
                    row["code"] if by == "district" else district,
                    row["group"],
                    row["platform"],
                )
                expected = flags[cell]
                marked = (row["suppressed"], row["numerator_suppressed"])
                assert (*marked, row["denominator_suppressed"]) == expected, cell
                for figure, is_hidden in zip(
                    ("value", "numerator", "denominator"), expected, strict=True
                ):
                    if is_hidden:
                        assert row[figure] is None, (cell, figure)
                hidden += expected[0]
    assert hidden >= 10, "the small demo hides some breakdown figures"


def test_plain_table_shows_group_and_breakdowns_with_hidden_figures_as_lt5(demo_home: Path):
    result = run_cli(
        demo_home, "kpi", "--month", MONTH, "--district", DISTRICT, "--group", "express",
        "--breakdowns",
    )  # fmt: skip
    assert "express" in result.stdout and "分项" in result.stdout
    assert SUPPRESSED in result.stdout
    assert "None" not in result.stdout and "NaN" not in result.stdout


def test_unknown_group_is_one_line_listing_the_groups(fresh_home: Path):
    result = run_cli(fresh_home, "kpi", "--group", "rider", "--json", check=False)
    assert_one_line_error(result, "--group", "'rider'", "delivery, express, ride_hailing")
    assert not result.stdout
