"""The 三色 status (三色预警) beside a KPI figure: the served file's fct_kpi_status (the dbt
mart with the rule, passed through the disclosure-control gate at publish) joined to the
figure row it judged, for warehouse.kpis' queries; and the status in words and colour, as
every reader shows it (the cards, the brief, the workbook, `xiaoge kpi`). The rule itself
is the mart's (see its YAML); this module only reads and names the result."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from warehouse.published import Run, has_table

STATUS_TABLE = "fct_kpi_status"


def has_statuses(run: Run) -> bool:
    """Whether the served file has fct_kpi_status (a file published before it had none)."""
    return has_table(run, STATUS_TABLE)


def columns(run: Run) -> str:
    if has_statuses(run):
        return (
            "s.target_value as target, s.goal, s.goal_month, s.status, "
            "coalesce(s.status_suppressed, false) as status_suppressed"
        )
    return (
        "null::double as target, null::double as goal, null::varchar as goal_month, "
        "null::varchar as status, false as status_suppressed"
    )


def target(run: Run) -> str:
    """The judged row's target alone (a trend's trajectory)."""
    return "s.target_value as target" if has_statuses(run) else "null::double as target"


def join(run: Run, rows: str) -> str:
    """The judged row's status: only the headline row a status was computed for has one."""
    if not has_statuses(run):
        return ""
    return f"left join {STATUS_TABLE} as s on s.kpi_row_id = {rows}.kpi_row_id"


ORDER = ("red", "yellow", "green")  # most urgent first: alerts list red, then yellow


@dataclass(frozen=True)
class Status:
    name_zh: str
    meaning_zh: str
    name_en: str
    meaning_en: str
    colour: str
    badge: str  # Streamlit's markdown badge colour


STATUSES = {
    "green": Status("绿色", "达到进度", "Green", "on track", "#2E7D32", "green"),
    "yellow": Status("黄色", "略落后于进度", "Yellow", "slightly behind", "#F9A825", "yellow"),
    "red": Status(
        "红色", "明显落后或反向变化", "Red", "well behind or moving the wrong way", "#C62828", "red"
    ),
}
COLUMNS = ("status_name_zh", "status_meaning_zh", "status_colour")


def known(status: object) -> Status | None:
    """The status of a code ('green', ...), or None for a missing or hidden one."""
    return STATUSES.get(status) if isinstance(status, str) else None


def with_words(frame: pd.DataFrame) -> pd.DataFrame:
    """The frame with status_name_zh, status_meaning_zh and status_colour beside `status`."""
    codes = frame["status"] if "status" in frame.columns else pd.Series(None, index=frame.index)
    found = codes.map(known)
    return frame.assign(
        status=codes.astype(object).where(codes.notna(), None),  # missing: None, never NaN
        status_name_zh=found.map(lambda s: s.name_zh if s else None),
        status_meaning_zh=found.map(lambda s: s.meaning_zh if s else None),
        status_colour=found.map(lambda s: s.colour if s else None),
    )
