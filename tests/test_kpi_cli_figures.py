"""`xiaoge kpi`'s group and breakdown rows, as the dashboards show them.

`xiaoge kpi --group` and `--breakdowns` must give the figures the dashboards' data module
gives for the same filters, and hidden figures only as null with their flag.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from tests.conftest import kpi_json, run_cli
from tests.test_cli_errors import assert_one_line_error
from warehouse import names
from warehouse.privacy import SUPPRESSED, protected_rows

MONTH = "2025-06"
DISTRICT = "330127"  # 淳安县: small counts, so many of its breakdown figures are hidden


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
