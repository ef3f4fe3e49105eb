"""What the audit reports: a `Finding`, and each failed KPI expectation as one Chinese
sentence naming the KPI, the district (or 全市), the month and the figures as the dashboards
write them.

A figure that counts people may yet be hidden by disclosure control, which runs at publish:
its warnings are held (no figure in them) until `release_held` sees the protected figures,
and are dropped if a figure they would show is hidden.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path

import pandas as pd

from warehouse.audit.kpi_expectations import (
    KPI_MOVE,
    KPI_RANGE,
    KPI_TREND,
    KPI_VERDICTS,
    kpi_expectation_frame,
)
from warehouse.duck import connect
from warehouse.present import format as fmt

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


def kpi_findings(
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
