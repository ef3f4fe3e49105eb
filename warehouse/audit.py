"""The audit: Great Expectations suites over a finished build, before anyone can see it.

One suite per mart area, kept here as code. Every mart gets the generic checks (not empty,
rates and shares in [0, 1], counts not negative); the KPI area adds the programme's own
(catalogue complete for the latest month, months without gaps, row counts close to the
previous published build, month-over-month jumps). Critical failures block publishing;
warnings publish and are shown. GE validates pandas frames read from the build's DuckDB file
(its SQL data source does not work with DuckDB), and is imported only here.
"""

from __future__ import annotations

import json
import os
import re
import warnings
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path

import pandas as pd

from warehouse import strict_json
from warehouse.crashpoints import pause_point
from warehouse.duck import connect, quote_ident

# Month-over-month change of a city-wide KPI beyond this share is flagged as a warning.
MOM_WARNING_THRESHOLD = 0.5
# Row counts of a mart against the previous published build: outside ERROR bounds blocks
# publishing, outside WARNING bounds is shown.
ROW_COUNT_ERROR_BOUNDS = (0.5, 3.0)
ROW_COUNT_WARNING_BOUNDS = (0.9, 1.5)
RATE_COLUMN = re.compile(r"(_rate|_share)$")
COUNT_COLUMN = re.compile(r"(^n_|_count$|_total$)")


@dataclass(frozen=True)
class Finding:
    suite: str
    check: str
    severity: str  # error or warning
    message: str


@dataclass
class AuditResult:
    build_id: str
    checks: int = 0
    findings: list[Finding] = field(default_factory=list)
    data_docs: str | None = None

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "error"]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "warning"]

    def summary(self) -> dict:
        return {
            "build_id": self.build_id,
            "checks": self.checks,
            "errors": len(self.errors),
            "warnings": len(self.warnings),
            "passed": not self.errors,
            "data_docs": self.data_docs,
            "findings": [asdict(f) for f in self.findings],
        }

    def write(self, build_dir: Path) -> Path:
        path = build_dir / "audit.json"
        path.write_text(strict_json.dumps(self.summary(), indent=2), encoding="utf-8")
        return path


@dataclass
class Suite:
    """Frames to validate and what to expect of each, for one mart area."""

    name: str
    frames: dict[str, pd.DataFrame] = field(default_factory=dict)
    expectations: dict[str, list] = field(default_factory=dict)

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
                for column in frame.columns:
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
    series = _month_over_month(kpis)
    suite.expect(
        "kpi_month_over_month",
        series,
        expect.ExpectColumnValuesToBeInSet(
            column="months_since_previous", value_set=[1], meta={"check": "指标月份连续,无缺月"}
        ),
        expect.ExpectColumnValuesToBeBetween(
            column="relative_change",
            min_value=-MOM_WARNING_THRESHOLD,
            max_value=MOM_WARNING_THRESHOLD,
            row_condition='area_level=="city"',
            condition_parser="pandas",
            severity="warning",
            meta={"check": f"全市指标环比变化不超过 {MOM_WARNING_THRESHOLD:.0%}"},
        ),
    )


def _month_over_month(kpis: pd.DataFrame) -> pd.DataFrame:
    """Each KPI series' gap to its previous month (in months) and relative change."""
    keys = ["kpi_id", "area_level", "district_code", "group_code", "platform_code"]
    frame = kpis.sort_values([*keys, "month_start"]).copy()
    month_index = (
        pd.to_datetime(frame["month_start"]).dt.year * 12
        + pd.to_datetime(frame["month_start"]).dt.month
    )
    grouped = frame.assign(month_index=month_index).groupby(keys, dropna=False)
    frame["months_since_previous"] = grouped["month_index"].diff()
    previous = grouped["kpi_value"].shift()
    frame["relative_change"] = (frame["kpi_value"] - previous) / previous.where(previous != 0)
    return frame[[*keys, "month_start", "kpi_value", "months_since_previous", "relative_change"]]


def run_audit(build_id: str, database: Path, previous: Path | None, build_dir: Path) -> AuditResult:
    """Validate every suite; write Data Docs and audit.json under the build folder."""
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")
    with warnings.catch_warnings():
        # GE probes optional back-ends (pyspark, when the Spark extra is installed) on import,
        # which warn about library versions that do not matter for pandas validation.
        warnings.simplefilter("ignore", FutureWarning)
        import great_expectations as gx
    from great_expectations.data_context.types.base import ProgressBarsConfig

    context = gx.get_context(mode="file", project_root_dir=str(build_dir / "audit"))
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    source = context.data_sources.add_or_update_pandas("warehouse")
    result = AuditResult(build_id)
    for suite in build_suites(database, previous, build_dir):
        for frame_name, expectations in suite.expectations.items():
            name = f"{suite.name}.{frame_name}"
            batch = source.add_dataframe_asset(name).add_batch_definition_whole_dataframe("build")
            expectation_suite = context.suites.add_or_update(
                gx.ExpectationSuite(name=name, expectations=expectations)
            )
            definition = context.validation_definitions.add_or_update(
                gx.ValidationDefinition(name=name, data=batch, suite=expectation_suite)
            )
            validation = definition.run(batch_parameters={"dataframe": suite.frames[frame_name]})
            pause_point("audit", build_dir)
            for outcome in validation.results:
                result.checks += 1
                if outcome.success:
                    continue
                config = outcome.expectation_config
                severity = (
                    "warning" if str(config.severity).lower().endswith("warning") else "error"
                )
                check = (config.meta or {}).get("check", config.type)
                result.findings.append(
                    Finding(name, check, severity, _describe(check, outcome.result))
                )
    context.build_data_docs()
    index = build_dir / "audit" / "gx" / "uncommitted" / "data_docs" / "local_site" / "index.html"
    result.data_docs = str(index) if index.exists() else None
    result.write(build_dir)
    return result


def _describe(check: str, detail: dict) -> str:
    """One line: the check that failed and what was found."""
    if "unexpected_count" in detail:
        sample = ", ".join(str(v) for v in (detail.get("partial_unexpected_list") or [])[:3])
        return f"{check}:{detail['unexpected_count']} 行不符(例如 {sample})"
    if "observed_value" in detail:
        return f"{check}:实际为 {detail['observed_value']}"
    return check
