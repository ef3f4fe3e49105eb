"""What a KPI card says beside its figure: the 三色 status as a coloured badge with words, the
target and goal, and where the figure comes from (its provenance); and the overview's
status alerts, red first. Columns the headline frame may not carry (an older served file,
provenance not yet merged) read as not known: nothing is shown for them."""

from __future__ import annotations

import pandas as pd

from dashboards.i18n import lang, t
from warehouse import kpi_status as statuses
from warehouse.present.format import month_zh, value

PROVENANCE = (
    ("sources_zh", "card_sources"),
    ("data_as_of", "card_data_as_of"),
    ("audit_zh", "card_audit"),
)


def _field(kpi, name: str) -> object:
    item = getattr(kpi, name, None)
    if item is None:
        return None
    try:
        return None if pd.isna(item) else item
    except (TypeError, ValueError):  # a list
        return item


def _words(found: statuses.Status) -> tuple[str, str]:
    if lang() == "zh":
        return found.name_zh, found.meaning_zh
    return found.name_en, found.meaning_en


def badge(kpi) -> str:
    """The status as Streamlit markdown shown under the card, e.g. :green-badge[绿色·达到进度];
    a grey badge where disclosure control withholds it; "" without a status."""
    found = statuses.known(_field(kpi, "status"))
    if found is not None:
        name, meaning = _words(found)
        return f":{found.badge}-badge[{name}·{meaning}]"
    if _field(kpi, "status_suppressed"):
        return f":gray-badge[{t('status_hidden')}]"
    return ""


def help_lines(kpi) -> list[str]:
    """The help's lines after the definition: status, target this month and goal, then the
    provenance (sources with 数据截至, the audit result, the build)."""
    lines = []
    found = statuses.known(_field(kpi, "status"))
    if found is not None:
        name, meaning = _words(found)
        lines.append(f"{t('status')}: {name}({meaning})")
    elif _field(kpi, "status_suppressed"):
        lines.append(t("status_hidden_help"))
    target, goal = _field(kpi, "target"), _field(kpi, "goal")
    if target is not None:
        lines.append(f"{t('target_now')}: {value(target, kpi.value_kind, kpi.unit, lang())}")
    if goal is not None:
        month = _field(kpi, "goal_month")
        shown = value(goal, kpi.value_kind, kpi.unit, lang())
        if month:
            shown = t("goal_by", goal=shown, month=month_zh(month) if lang() == "zh" else month)
        lines.append(f"{t('goal')}: {shown}")
    for column, label in PROVENANCE:
        item = _field(kpi, column)
        if item is not None:
            shown = month_zh(item) if column == "data_as_of" and lang() == "zh" else item
            lines.append(f"{t(label)}: {shown}")
    build = _field(kpi, "build_id")
    if build is not None:
        lines.append(f"{t('card_build')}: {build}")
    return lines


def status_alerts(headline: pd.DataFrame) -> list[str]:
    """The red figures, then the yellow ones, each with its value and this month's target."""
    found = []
    for code in statuses.ORDER[:2]:  # red, yellow
        for kpi in headline.itertuples(index=False):
            if _field(kpi, "status") != code:
                continue
            name, meaning = _words(statuses.STATUSES[code])
            found.append(
                t(
                    "alert_status",
                    name=getattr(kpi, f"name_{lang()}"),
                    value=value(kpi.value, kpi.value_kind, kpi.unit, lang()),
                    target=value(kpi.target, kpi.value_kind, kpi.unit, lang()),
                    status=name,
                    meaning=meaning,
                )
            )
    return found
