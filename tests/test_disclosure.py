"""Disclosure control as an attacker would test it: from everything a reader can see, can a
hidden person count be worked out (by linear programming) to within its protection interval?"""

from __future__ import annotations

from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from warehouse.config import Home
from warehouse.disclosure import PROTECTED_TABLES, attacker_model, audit, protect_tables
from warehouse.disclosure.lp import EQ, Model, Protection, exposed, intervals, protect
from warehouse.served import ROW_ORDER, gate_seeds, served_build_database

PROTECTION = Protection(5)


def _table(cells: list[float], parents: list[tuple[int, list[int]]], locked=()) -> Model:
    value = np.array(cells, dtype=float)
    return Model(
        value=value,
        published=np.ones(len(value), dtype=bool),
        primary=(value > 0) & (value < 5),
        locked=np.isin(np.arange(len(value)), list(locked)),
        cost=value + 1,
        constraints=[
            (np.array([p, *children]), np.array([1.0] + [-1.0] * len(children)), EQ)
            for p, children in parents
        ],
    )


# A 2 x 2 table with its margins:      a=3  b=20 | 23
#                                     c=30  d=40 | 70
#                                       33    60 | 93
CELLS = [3, 20, 30, 40, 23, 70, 33, 60, 93]
FAMILIES = [(4, [0, 1]), (5, [2, 3]), (6, [0, 2]), (7, [1, 3]), (8, [4, 5]), (8, [6, 7])]


def test_hiding_only_the_small_cell_is_seen_through_by_the_audit():
    model = _table(CELLS, FAMILIES)
    visible = np.ones(len(CELLS), dtype=bool)
    visible[0] = False  # a = 23 - 20, exactly
    bounds = intervals(model, visible)
    assert bounds[0] == pytest.approx((3.0, 3.0))
    assert exposed(model, bounds, PROTECTION) == [0]


def test_protect_hides_a_rectangle_and_the_small_cell_gets_its_interval():
    model = _table(CELLS, FAMILIES, locked=[8])
    hidden = protect(model, PROTECTION)
    assert hidden[[0, 1, 2, 3]].all() and not hidden[8]
    assert hidden.sum() == 4  # the four inner cells, no margin: the fewest that protect
    bounds = intervals(model, model.published & ~hidden)
    low, high = bounds[0]
    assert low <= 0 and high >= 5
    assert exposed(model, bounds, PROTECTION) == []


def _grid(values: list[list[int]]) -> tuple[list[float], list[tuple[int, list[int]]]]:
    """Cells of a table with row, column and grand totals, and its families."""
    rows, cols = len(values), len(values[0])
    inner = [float(v) for row in values for v in row]
    row_totals = [float(sum(row)) for row in values]
    col_totals = [float(sum(row[c] for row in values)) for c in range(cols)]
    cells = [*inner, *row_totals, *col_totals, float(sum(row_totals))]
    first_row, first_col, grand = rows * cols, rows * cols + rows, len(cells) - 1
    families = [(first_row + r, [r * cols + c for c in range(cols)]) for r in range(rows)]
    families += [(first_col + c, [r * cols + c for r in range(rows)]) for c in range(cols)]
    families += [(grand, list(range(first_row, first_row + rows)))]
    families += [(grand, list(range(first_col, first_col + cols)))]
    return cells, families


@settings(max_examples=60, deadline=None)
@given(
    values=st.integers(2, 4).flatmap(
        lambda cols: st.lists(
            st.lists(st.integers(0, 12), min_size=cols, max_size=cols), min_size=2, max_size=4
        )
    ),
    hide=st.data(),
)
def test_the_gate_judges_a_hidden_pattern_as_the_exact_intervals_do(values, hide):
    """`protect` and `audit` skip the solves that a solution already found makes needless:
    they must find exactly the variables that the exact intervals find exposed."""
    cells, families = _grid(values)
    model = _table(cells, families)
    hidden = np.array(hide.draw(st.lists(st.booleans(), min_size=len(cells), max_size=len(cells))))
    visible = ~(hidden | model.primary)
    exact = intervals(model, visible)
    pruned = intervals(model, visible, protection=PROTECTION)
    assert pruned.keys() == exact.keys()
    assert exposed(model, pruned, PROTECTION) == exposed(model, exact, PROTECTION)
    chosen = protect(model, PROTECTION)
    assert exposed(model, intervals(model, model.published & ~chosen), PROTECTION) == []


def test_a_rate_with_a_small_complement_is_protected(tmp_path: Path):
    """98 of 100 insured: the 2 without insurance are a small count too."""
    kpis = pd.DataFrame(
        {
            "kpi_id": ["rate"] * 3,
            "month_start": pd.to_datetime(["2025-06-01"] * 3),
            "area_level": ["city", "district", "district"],
            "district_code": [None, "d1", "d2"],
            "group_code": [None] * 3,
            "platform_code": [None] * 3,
            "kpi_value": [0.95, 0.98, 0.9],
            "numerator": [143.0, 98.0, 45.0],
            "denominator": [150.0, 100.0, 50.0],
        }
    )
    catalogue = pd.DataFrame(
        {
            "kpi_id": ["rate"],
            "value_kind": ["rate"],
            "counts_people": [True],
            "numerator_population": ["insured"],
            "denominator_population": ["people"],
        }
    )
    partitions = pd.DataFrame(columns=["whole", "parts"])
    out = protect_tables({"fct_kpi_monthly": kpis}, catalogue, partitions)
    table = out.tables["fct_kpi_monthly"].set_index("district_code", drop=False)
    assert table.loc["d1", "value_suppressed"]  # 2 uninsured in d1
    assert table.loc["d2", "value_suppressed"]  # else d1 = city - d2
    assert not table["value_suppressed"].iloc[0]  # the city headline stays
    # the two numerators are enough: the 2 uninsured could be anything from 0 to 7
    assert out.summary["hidden_cells"] == 2
    assert table["numerator_suppressed"].tolist() == [False, True, True]
    built = attacker_model({"fct_kpi_monthly": kpis}, catalogue, partitions)
    hidden = out.tables["fct_kpi_monthly"]["numerator"].isna().to_numpy()
    seen = ~(built.cells["column"].eq("numerator").to_numpy() & hidden[built.cells["row"]])
    visible = np.zeros(len(built.model), dtype=bool)
    np.logical_or.at(visible, built.cells["var"].to_numpy(), seen)
    checked, narrowed = audit(built.model, visible)
    assert checked == 1 and narrowed == []  # the 2 uninsured of d1


# --- the attack on the demo ----------------------------------------------------------------


def _frames(database: Path) -> dict[str, pd.DataFrame]:
    con = duckdb.connect(str(database), read_only=True)
    try:
        catalogue, partitions = gate_seeds(con)
        return {
            name: con.execute(f"select * from {name} order by {ROW_ORDER[name]}").df()
            for name in PROTECTED_TABLES
        } | {"kpi_catalogue": catalogue, "people_partitions": partitions}
    finally:
        con.close()


@pytest.fixture(scope="module")
def attack(demo_home: Path):
    """The true figures (build database), what is served, and the attacker's model."""
    served = _frames(demo_home / "published" / "xiaoge.duckdb")
    truth = _frames(served_build_database(Home(demo_home)))
    tables = {name: truth[name] for name in PROTECTED_TABLES}
    built = attacker_model(tables, truth["kpi_catalogue"], truth["people_partitions"])
    return served, tables, built


def _visible(built, served: dict, district: str | None) -> np.ndarray:
    """Which variables a reader sees: a published cell that is not hidden, in their scope."""
    cells = built.cells
    seen = np.zeros(len(cells), dtype=bool)
    for name in PROTECTED_TABLES:
        frame = served[name]
        mine = (cells["table"] == name).to_numpy()
        rows, columns = cells.loc[mine, "row"].to_numpy(), cells.loc[mine, "column"]
        shown = np.array(
            [pd.notna(frame.at[r, c]) for r, c in zip(rows, columns, strict=True)], dtype=bool
        )
        if district is not None:
            shown &= (frame.loc[rows, "district_code"] == district).to_numpy()
        seen[mine] = shown
    visible = np.zeros(len(built.model), dtype=bool)
    np.logical_or.at(visible, cells["var"].to_numpy(), seen)
    return visible


def test_served_tables_are_the_build_tables_with_cells_hidden(attack):
    served, truth, _ = attack
    for name, frame in truth.items():
        keys = [part.split()[0] for part in ROW_ORDER[name].split(",")]
        assert served[name][keys].equals(frame[keys]), name  # same rows, same order
        for column in frame.columns.intersection(served[name].columns):
            kept = served[name][column].notna()
            assert (served[name].loc[kept, column] == frame.loc[kept, column]).all()


@pytest.mark.parametrize("district", [None, "330106"], ids=["city-user", "district-user"])
def test_no_hidden_count_can_be_narrowed_below_its_protection_interval(attack, district):
    served, _, built = attack
    visible = _visible(built, served, district)
    checked, narrowed = audit(built.model, visible)
    cells = built.cells
    hidden_cells = int((~visible[cells["var"]]).sum()) if district is None else None
    print(
        f"\n{district or 'city'}: {checked} hidden sensitive counts checked, {len(narrowed)} narrowed"
    )
    assert checked > 1000
    assert narrowed == [], built.variables.iloc[narrowed[:5]].to_dict("records")
    if district is None:
        primary = int(built.model.primary[cells["var"]].sum())
        share, primary_share = hidden_cells / len(cells), primary / len(cells)
        print(
            f"cells {len(cells)}, hidden {hidden_cells} ({share:.1%}), primary {primary_share:.1%}"
        )
        # the bound: the primary cells, plus at most as many again that the linked tables need
        assert hidden_cells <= 2 * primary
        # every sensitive count that is published is hidden (primary suppression)
        published_small = built.model.primary[cells["var"]] & visible[cells["var"]]
        assert not published_small.any()


def test_the_same_figures_are_hidden_the_same_way_in_another_process(attack, demo_home: Path):
    """The demo published from another process (another string-hash seed): protecting the
    same figures here hides exactly the same cells, so unchanged months never change."""
    served, truth, _ = attack
    reference = _frames(served_build_database(Home(demo_home)))
    again = protect_tables(truth, reference["kpi_catalogue"], reference["people_partitions"])
    for name in PROTECTED_TABLES:
        flags = [c for c in served[name].columns if c.endswith("_suppressed")]
        assert again.tables[name][flags].equals(served[name][flags]), name


def test_the_pack_publishes_nothing_the_served_file_hides(attack, demo_home: Path):
    served, _, _ = attack
    pack = pd.read_parquet(demo_home / "exports" / "2025-06" / "v1" / "kpis.parquet")
    kpis = served["fct_kpi_monthly"]
    month = kpis[kpis["month_start"] == pd.Timestamp("2025-06-01")]
    hidden = month[month["value_suppressed"]]
    assert len(hidden) > 10
    shown_in_pack = pack[pack["value"].notna()]
    key = ["kpi_id", "district_code", "group_code", "platform_code"]
    leaked = hidden.merge(shown_in_pack, on=key, how="inner")
    assert leaked.empty, leaked[key].head()
