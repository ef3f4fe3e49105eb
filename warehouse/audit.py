"""The audit: Great Expectations suites over a finished build, before anyone can see it.

One suite per mart area, kept here as code. Every mart gets the generic checks (not empty,
rates and shares in [0, 1], counts not negative, row counts close to the previous published
build); the KPI area adds the programme's own: the catalogue complete for the latest month,
months without gaps, and each KPI's own expectations, kept with the KPI in the catalogue
(seeds/kpi_catalogue.csv: a plausible range, the way it can move, how far it can move in a
month). Critical failures block publishing; warnings publish and are shown. GE validates
pandas frames read from the build's DuckDB file (its SQL data source does not work with
DuckDB), and is imported only here.

A KPI expectation that fails is one warning per figure, a Chinese sentence naming the KPI,
the district (or 全市), the month and the figures as the dashboards write them. The figures
the checks read are the city-wide, district and group rows of fct_kpi_monthly (not the
platform breakdowns). A figure that counts people may yet be hidden by disclosure control,
which runs at publish: its warnings are held (no figure in them) until `release_held` sees
the protected figures, and are dropped if a figure they would show is hidden.
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
from warehouse.present import format as fmt

# Row counts of a mart against the previous published build: outside ERROR bounds blocks
# publishing, outside WARNING bounds is shown.
ROW_COUNT_ERROR_BOUNDS = (0.5, 3.0)
ROW_COUNT_WARNING_BOUNDS = (0.9, 1.5)
RATE_COLUMN = re.compile(r"(_rate|_share)$")
COUNT_COLUMN = re.compile(r"(^n_|_count$|_total$)")
# A rate over few people or places is far from its expectations by chance: a rate is flagged
# only when it is beyond its range, or its monthly move beyond its limit, by more than this
# many standard errors (of the share, or of the difference of the two months' shares; each
# share over its denominator n, Agresti-Coull adjusted, (x + 1) / (n + 2), so that 0 of 1
# and 1 of 1 are not taken as certain). At the city's size the allowance is a fraction of a
# percentage point; over 40 people, about 30.
RATE_NOISE_Z = 3.0
# The KPI expectations (seeds/kpi_catalogue.csv), each a check of the KPI suite. Verdicts
# are columns of the frame `kpi_expectation_frame` builds: True passes, False fails, empty
# is not judged (no previous month, no limit set).
KPI_RANGE = "指标值在目录给出的合理范围内"
KPI_TREND = "指标按目录给出的方向变动"
KPI_MOVE = "指标月度变动不超过目录给出的上限"
KPI_VERDICTS = {KPI_RANGE: "in_range", KPI_TREND: "with_trend", KPI_MOVE: "move_within_limit"}
KPI_KEYS = ["kpi_id", "area_level", "district_code", "group_code"]
CITY_WIDE = "全市"


@dataclass(frozen=True)
class Finding:
    suite: str
    check: str
    severity: str  # error or warning
    message: str
    # for a KPI expectation: the figure the warning is about
    kpi_id: str | None = None
    district_code: str | None = None  # None: city-wide
    month: str | None = None  # YYYY-MM


@dataclass
class AuditResult:
    build_id: str
    checks: int = 0
    findings: list[Finding] = field(default_factory=list)
    data_docs: str | None = None
    # KPI expectations failed by figures that count people, which disclosure control may
    # hide at publish: {"checks", "kpi_row_id"}, no figure, until `release_held`.
    held: list[dict] = field(default_factory=list)

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
            "held": self.held,
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


def kpi_expectation_frame(con) -> pd.DataFrame:
    """The figures the KPI expectations judge, one row each, with last month's figure, the
    catalogue's expectations, the names a warning gives, and a verdict per expectation.

    Rows: fct_kpi_monthly's city-wide, district and group rows (platform breakdowns are not
    judged). On a published file, a figure hidden by disclosure control is not judged, nor
    a move or trend from or to one. Verdict columns (KPI_VERDICTS) hold True, False or None
    (not judged).
    """
    tables = {
        r[0] for r in con.execute("select table_name from information_schema.tables").fetchall()
    }
    kpi_columns = {r[0] for r in con.execute("describe fct_kpi_monthly").fetchall()}
    hidden = "coalesce(k.value_suppressed, false)" if "value_suppressed" in kpi_columns else "false"
    district_names = "dim_district" if "dim_district" in tables else "districts"
    frame = con.execute(
        f"""
        select
            k.kpi_row_id, k.kpi_id, k.month_start, k.area_level, k.district_code, k.group_code,
            k.kpi_value, k.denominator, {hidden} as hidden,
            c.name_zh, c.unit, c.value_kind, c.counts_people,
            c.expected_min, c.expected_max, c.expected_trend,
            c.max_monthly_change_share, c.max_monthly_change_abs,
            d.district_name, g.group_name
        from fct_kpi_monthly as k
        join kpi_catalogue as c using (kpi_id)
        left join {quote_ident(district_names)} as d using (district_code)
        left join worker_groups as g using (group_code)
        where k.platform_code is null and k.area_level in ('city', 'district')
        """
    ).df()
    frame = frame.sort_values([*KPI_KEYS, "month_start"]).reset_index(drop=True)
    months = pd.to_datetime(frame["month_start"])
    frame["month_index"] = months.dt.year * 12 + months.dt.month
    grouped = frame.groupby(KPI_KEYS, dropna=False)
    follows = (frame["month_index"] - grouped["month_index"].shift()) == 1
    for column in ("kpi_row_id", "kpi_value", "denominator", "hidden"):
        frame[f"previous_{column}"] = grouped[column].shift().where(follows)
    # a KPI broken down by group names the group in its warnings
    frame["names_group"] = frame.groupby("kpi_id")["group_code"].transform(
        lambda g: g.nunique(dropna=False) > 1
    )
    frame["in_range"] = _verdicts(frame, _in_range(frame), judged=frame["kpi_value"].notna())
    moves = frame["kpi_value"].notna() & frame["previous_kpi_value"].notna()
    moves &= ~frame["previous_hidden"].astype("boolean").fillna(False).astype(bool)
    trend = frame["expected_trend"].fillna("")
    frame["with_trend"] = _verdicts(
        frame,
        _with_trend(frame, trend),
        judged=moves & trend.isin(["non_decreasing", "non_increasing"]),
    )
    within, judged = _move_within_limit(frame)
    frame["move_within_limit"] = _verdicts(frame, within, judged=moves & judged)
    return frame.drop(columns=["month_index"])


def _verdicts(frame: pd.DataFrame, passed: pd.Series, judged: pd.Series) -> pd.Series:
    """True/False where judged and shown, None elsewhere (GE skips missing values)."""
    judged = judged & ~frame["hidden"].astype(bool)
    return pd.Series(
        [bool(p) if j else None for p, j in zip(passed, judged, strict=True)],
        index=frame.index,
        dtype=object,
    )


def _in_range(frame: pd.DataFrame) -> pd.Series:
    value = frame["kpi_value"]
    allowance = _chance(frame, RATE_NOISE_Z * _share_error(value, frame["denominator"]))
    low = value >= frame["expected_min"].where(frame["expected_min"].notna(), value) - allowance
    high = value <= frame["expected_max"].where(frame["expected_max"].notna(), value) + allowance
    return low & high


def _share_error(share: pd.Series, base: pd.Series) -> pd.Series:
    """Standard error of a share over `base` (Agresti-Coull: one more yes and one more no)."""
    adjusted = (share * base + 1) / (base + 2)
    return (adjusted * (1 - adjusted) / (base + 2)).clip(lower=0).pow(0.5)


def _chance(frame: pd.DataFrame, allowance: pd.Series) -> pd.Series:
    """The allowance for chance where it applies: rates with a known denominator."""
    return allowance.where((frame["value_kind"] == "rate") & allowance.notna(), 0.0)


def _with_trend(frame: pd.DataFrame, trend: pd.Series) -> pd.Series:
    change = frame["kpi_value"] - frame["previous_kpi_value"]
    tolerance = 1e-9  # a figure that stays put is no move, whatever the float rounding
    return ~(
        ((trend == "non_decreasing") & (change < -tolerance))
        | ((trend == "non_increasing") & (change > tolerance))
    )


def _move_within_limit(frame: pd.DataFrame) -> tuple[pd.Series, pd.Series]:
    """Whether each monthly move is within its limits, and whether any limit can judge it.

    A move is beyond its limits only when it is beyond every limit the catalogue sets: the
    share of last month's value (which cannot judge a move from zero) and the absolute
    limit, which for a rate is widened by the chance allowance (RATE_NOISE_Z).
    """
    value, previous = frame["kpi_value"], frame["previous_kpi_value"]
    change = (value - previous).abs()
    share_limit = frame["max_monthly_change_share"]
    abs_limit = frame["max_monthly_change_abs"]
    allowance = _chance(
        frame,
        RATE_NOISE_Z
        * (
            _share_error(value, frame["denominator"]).pow(2)
            + _share_error(previous, frame["previous_denominator"]).pow(2)
        ).pow(0.5),
    )
    judged_abs = abs_limit.notna()
    judged_share = share_limit.notna() & previous.notna() & (previous != 0)
    beyond_abs = ~judged_abs | (change > abs_limit + allowance)
    beyond_share = ~judged_share | (change > share_limit * previous.abs())
    judged = judged_abs | judged_share
    return ~(beyond_abs & beyond_share & judged), judged


# --- warnings as sentences -----------------------------------------------------------------


def kpi_warning(row: pd.Series, checks: list[str]) -> str:
    """A figure's failed KPI expectations as one Chinese sentence, with the figures as the
    dashboards write them (warehouse/present/format.py), e.g. "西湖区 2025年6月 服务驿站数 为 520个，
    比上月增加 168个(47.7%)，超过月度变动上限(上月的 25.0%，且 30个)"."""
    area = CITY_WIDE if row["area_level"] == "city" else _district_name(row)
    if row["names_group"] and isinstance(row["group_name"], str):
        area = f"{area} {row['group_name']}"
    month = pd.Timestamp(row["month_start"])
    kind, unit = row["value_kind"], row["unit"]
    clauses = []
    if KPI_RANGE in checks:
        if row["kpi_value"] < row["expected_min"]:
            bound = f"低于合理范围下限 {fmt.value(row['expected_min'], kind, unit)}"
        else:
            bound = f"高于合理范围上限 {fmt.value(row['expected_max'], kind, unit)}"
        clauses.append(bound)
    if KPI_TREND in checks or KPI_MOVE in checks:
        move = [_move_text(row["kpi_value"], row["previous_kpi_value"], kind, unit)]
        if KPI_TREND in checks:
            never = "下降" if row["expected_trend"] == "non_decreasing" else "上升"
            move.append(f"而该指标按定义不会{never}")
        if KPI_MOVE in checks:
            move.append(f"超过月度变动上限{_limit_text(row)}")
        clauses.append("，".join(move))
    value = fmt.value(row["kpi_value"], kind, unit)
    return f"{area} {month.year}年{month.month}月 {row['name_zh']} 为 {value}，" + "；".join(
        clauses
    )


def _district_name(row: pd.Series) -> str:
    name = row["district_name"]
    return name if isinstance(name, str) and name else "未知区县"


def _amount(delta: float, kind: str, unit: str | None) -> str:
    """A move's size in the KPI's unit: percentage points for a rate."""
    if kind == "rate":
        return f"{fmt.percent(abs(delta)).removesuffix('%')} 个百分点"
    return fmt.number(abs(delta), unit or "")


def _move_text(value: float, previous: float, kind: str, unit: str | None) -> str:
    delta = value - previous
    up, down = ("增加", "减少") if kind == "count" else ("上升", "下降")
    verb = up if delta > 0 else down
    text = f"比上月{verb} {_amount(delta, kind, unit)}"
    if kind != "rate" and previous:
        text += f"({fmt.percent(abs(delta / previous))})"
    return text


def _limit_text(row: pd.Series) -> str:
    kind, unit = row["value_kind"], row["unit"]
    share, absolute = row["max_monthly_change_share"], row["max_monthly_change_abs"]
    parts = []
    if pd.notna(share):
        parts.append(f"上月的 {fmt.percent(share)}")
    if pd.notna(absolute):
        parts.append(_amount(absolute, kind, unit))
    return f" {parts[0]}" if len(parts) == 1 else f"({parts[0]}，且 {parts[1]})"


def _kpi_findings(
    name: str, frame: pd.DataFrame, failed: dict[int, list[str]]
) -> tuple[list[Finding], list[dict]]:
    """Failed rows of the KPI expectation frame, one warning per figure: written out for
    figures that cannot be hidden, held (no figure in them) for figures that count people."""
    findings, held = [], []
    for index in sorted(failed):
        row, checks = frame.loc[index], _in_order(failed[index])
        if _counts_people(row["counts_people"]):
            held.append({"checks": checks, "kpi_row_id": row["kpi_row_id"]})
        else:
            findings.append(_kpi_finding(name, checks, row))
    return findings, held


def _in_order(checks: list[str]) -> list[str]:
    return [check for check in KPI_VERDICTS if check in checks]


def _kpi_finding(name: str, checks: list[str], row: pd.Series) -> Finding:
    return Finding(
        name,
        "、".join(checks),
        "warning",
        kpi_warning(row, checks),
        kpi_id=row["kpi_id"],
        district_code=row["district_code"] if isinstance(row["district_code"], str) else None,
        month=pd.Timestamp(row["month_start"]).strftime("%Y-%m"),
    )


def _counts_people(flag: object) -> bool:
    return str(flag).lower() in ("true", "1")


def release_held(audit: dict, published_db: Path) -> dict:
    """The audit record as published: each held KPI warning written out from the protected
    figures of the published file, unless a figure it would show is hidden."""
    held = audit.get("held") or []
    out = {key: value for key, value in audit.items() if key != "held"}
    if not held:
        return out
    with connect(published_db, read_only=True) as con:
        frame = kpi_expectation_frame(con).set_index("kpi_row_id", drop=False)
    findings = list(audit["findings"])
    for item in held:
        if item["kpi_row_id"] not in frame.index:
            continue
        row = frame.loc[item["kpi_row_id"]]
        # judged on shown figures only: a check that needs a hidden figure is not judged
        checks = [c for c in item["checks"] if row[KPI_VERDICTS[c]] is False]
        if checks:
            findings.append(asdict(_kpi_finding("kpi.kpi_expectations", checks, row)))
    out["findings"] = findings
    out["warnings"] = sum(f["severity"] == "warning" for f in findings)
    return out


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
            row_by_row = frame_name in suite.row_by_row
            validation = definition.run(
                batch_parameters={"dataframe": suite.frames[frame_name]},
                result_format={"result_format": "COMPLETE" if row_by_row else "SUMMARY"},
            )
            pause_point("audit", build_dir)
            failed_rows: dict[int, list[str]] = {}
            for outcome in validation.results:
                result.checks += 1
                if outcome.success:
                    continue
                config = outcome.expectation_config
                severity = (
                    "warning" if str(config.severity).lower().endswith("warning") else "error"
                )
                check = (config.meta or {}).get("check", config.type)
                if row_by_row:
                    for index in outcome.result.get("unexpected_index_list") or []:
                        failed_rows.setdefault(index, []).append(check)
                    continue
                result.findings.append(
                    Finding(name, check, severity, _describe(check, outcome.result))
                )
            if failed_rows:
                findings, held = _kpi_findings(name, suite.frames[frame_name], failed_rows)
                result.findings.extend(findings)
                result.held.extend(held)
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
