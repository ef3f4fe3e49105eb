"""The Great Expectations suites over a finished build, one per mart area, kept as code.

Every mart gets the generic checks (not empty, rates and shares in [0, 1], counts not
negative, row counts close to the previous published build); the KPI area adds the
programme's own: the catalogue complete for the latest month, months without gaps, and each
KPI's own expectations (`warehouse.audit.kpi_expectations`).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from warehouse.audit.kpi_expectations import KPI_VERDICTS, kpi_expectation_frame
from warehouse.duck import connect, quote_ident

# Row counts of a mart against the previous published build: outside ERROR bounds blocks
# publishing, outside WARNING bounds is shown.
ROW_COUNT_ERROR_BOUNDS = (0.5, 3.0)
ROW_COUNT_WARNING_BOUNDS = (0.9, 1.5)
RATE_COLUMN = re.compile(r"(_rate|_share)$")
COUNT_COLUMN = re.compile(r"(^n_|_count$|_total$)")
# Mart areas whose columns are the seeds' parameters, not measured figures: the name rules
# above do not hold there (dim_kpi.max_monthly_change_share is a limit, 2.0 for a count that
# may triple); the seeds' own dbt tests check them.
PARAMETER_AREAS = {"reference"}


@dataclass
class Suite:
    """Frames to validate and what to expect of each, for one mart area."""

    name: str
    frames: dict[str, pd.DataFrame] = field(default_factory=dict)
    expectations: dict[str, list] = field(default_factory=dict)
    # frames whose failing rows are reported one by one (the KPI expectations)
    row_by_row: set[str] = field(default_factory=set)

    def expect(self, frame_name: str, frame: pd.DataFrame, *expectations) -> None:
        self.frames[frame_name] = frame
        self.expectations.setdefault(frame_name, []).extend(expectations)


def mart_models(build_dir: Path) -> dict[str, list[str]]:
    """Mart tables of this build by area (the folder under models/marts/), from dbt's manifest."""
    manifest = json.loads((build_dir / "target" / "manifest.json").read_text(encoding="utf-8"))
    areas: dict[str, list[str]] = {}
    for node in manifest["nodes"].values():
        fqn = node.get("fqn", [])
        if node["resource_type"] == "model" and len(fqn) > 3 and fqn[1] == "marts":
            areas.setdefault(fqn[2], []).append(node["name"])
    return {area: sorted(names) for area, names in sorted(areas.items())}


def _row_counts(database: Path | None, tables: list[str]) -> dict[str, int]:
    if database is None or not database.exists():
        return {}
    counts = {}
    with connect(database, read_only=True) as con:
        existing = {
            row[0]
            for row in con.execute("select table_name from information_schema.tables").fetchall()
        }
        for table in tables:
            if table in existing:
                counts[table] = con.execute(
                    f"select count(*) from {quote_ident(table)}"
                ).fetchall()[0][0]
    return counts


def build_suites(database: Path, previous: Path | None, build_dir: Path) -> Iterator[Suite]:
    import great_expectations as gx

    expect = gx.expectations
    areas = mart_models(build_dir)
    all_tables = [t for tables in areas.values() for t in tables]
    before = _row_counts(previous, all_tables)
    with connect(database, read_only=True) as con:
        for area, tables in areas.items():
            suite = Suite(area)
            for table in tables:
                frame = con.execute(f"select * from {quote_ident(table)}").df()
                checks = [
                    expect.ExpectTableRowCountToBeBetween(
                        min_value=1, meta={"check": f"{table} 不为空"}
                    )
                ]
                for column in frame.columns if area not in PARAMETER_AREAS else []:
                    if RATE_COLUMN.search(column):
                        checks.append(
                            expect.ExpectColumnValuesToBeBetween(
                                column=column,
                                min_value=0,
                                max_value=1,
                                meta={"check": f"{table}.{column} 在 0 到 1 之间"},
                            )
                        )
                    elif COUNT_COLUMN.search(column):
                        checks.append(
                            expect.ExpectColumnValuesToBeBetween(
                                column=column,
                                min_value=0,
                                meta={"check": f"{table}.{column} 不为负"},
                            )
                        )
                if table in before:
                    checks.extend(_row_count_checks(expect, table, before[table]))
                suite.expect(table, frame, *checks)
            if area == "kpi":
                _kpi_checks(suite, con, expect)
            yield suite


def _row_count_checks(expect, table: str, previous: int) -> list:
    (low_error, high_error), (low_warn, high_warn) = (
        ROW_COUNT_ERROR_BOUNDS,
        ROW_COUNT_WARNING_BOUNDS,
    )
    return [
        expect.ExpectTableRowCountToBeBetween(
            min_value=int(previous * low_error),
            max_value=int(previous * high_error),
            meta={
                "check": f"{table} 行数与上一发布版本({previous})相比在 {low_error}-{high_error} 倍之间"
            },
        ),
        expect.ExpectTableRowCountToBeBetween(
            min_value=int(previous * low_warn),
            max_value=int(previous * high_warn),
            severity="warning",
            meta={
                "check": f"{table} 行数与上一发布版本({previous})相比在 {low_warn}-{high_warn} 倍之间"
            },
        ),
    ]


def _kpi_checks(suite: Suite, con, expect) -> None:
    kpis = con.execute(
        """
        select k.*, c.value_kind
        from fct_kpi_monthly as k join kpi_catalogue as c using (kpi_id)
        """
    ).df()
    catalogue = [row[0] for row in con.execute("select kpi_id from kpi_catalogue").fetchall()]
    latest = kpis[kpis["month_start"] == kpis["month_start"].max()]
    suite.expect(
        "kpi_latest_month",
        latest,
        expect.ExpectColumnDistinctValuesToContainSet(
            column="kpi_id",
            value_set=catalogue,
            meta={"check": "目录中的每个指标在最新月份都有数值"},
        ),
    )
    suite.expect(
        "kpi_values",
        kpis,
        expect.ExpectColumnValuesToNotBeNull(column="kpi_value", meta={"check": "指标值不为空"}),
        expect.ExpectColumnValuesToBeBetween(
            column="kpi_value",
            min_value=0,
            max_value=1,
            row_condition='value_kind=="rate"',
            condition_parser="pandas",
            meta={"check": "比率类指标在 0 到 1 之间"},
        ),
        expect.ExpectColumnValuesToBeBetween(
            column="kpi_value",
            min_value=0,
            row_condition='value_kind=="count"',
            condition_parser="pandas",
            meta={"check": "计数类指标不为负"},
        ),
    )
    # The unknown district (people no roster places, dim_district) has figures only in the
    # months it has people; every listed district's and the city's series has no gap.
    listed = {r[0] for r in con.execute("select district_code from districts").fetchall()}
    suite.expect(
        "kpi_month_gaps",
        _month_gaps(kpis[kpis["district_code"].isna() | kpis["district_code"].isin(listed)]),
        expect.ExpectColumnValuesToBeInSet(
            column="months_since_previous", value_set=[1], meta={"check": "指标月份连续,无缺月"}
        ),
    )
    suite.expect(
        "kpi_expectations",
        kpi_expectation_frame(con),
        *(
            expect.ExpectColumnValuesToBeInSet(
                column=column, value_set=[True], severity="warning", meta={"check": check}
            )
            for check, column in KPI_VERDICTS.items()
        ),
    )
    suite.row_by_row.add("kpi_expectations")


def _month_gaps(kpis: pd.DataFrame) -> pd.DataFrame:
    """Each KPI series' gap to its previous month, in months."""
    keys = ["kpi_id", "area_level", "district_code", "group_code", "platform_code"]
    frame = kpis.sort_values([*keys, "month_start"]).copy()
    month_index = (
        pd.to_datetime(frame["month_start"]).dt.year * 12
        + pd.to_datetime(frame["month_start"]).dt.month
    )
    grouped = frame.assign(month_index=month_index).groupby(keys, dropna=False)
    frame["months_since_previous"] = grouped["month_index"].diff()
    return frame[[*keys, "month_start", "kpi_value", "months_since_previous"]]
