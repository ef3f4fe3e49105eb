"""Numbers the way Chinese government reports write them: every figure a person reads (the
dashboards' cards, the brief, `xiaoge kpi`) is written by these functions."""

from __future__ import annotations

from warehouse.privacy import SUPPRESSED, is_flagged

MISSING = "—"


def _missing(value: object) -> bool:
    """None, NaN or pandas.NA."""
    try:
        return value is None or bool(value != value)
    except TypeError:  # pandas.NA has no truth value
        return True


def _rounded(value: float, digits: int) -> float:
    # Adding 0.0 turns -0.0 into 0.0, so a tiny negative never reads "-0".
    return round(float(value), digits) + 0.0


def number(value: float | None, unit: str = "", lang: str = "zh") -> str:
    """Counts: 万 from ten thousand up in Chinese, thousands separators in English."""
    if _missing(value):
        return MISSING
    if lang == "zh" and abs(value) >= 10_000:
        text = f"{_rounded(value / 10_000, 1):.1f}万"
    elif float(value).is_integer():
        text = f"{int(value):,}"
    else:
        text = f"{_rounded(value, 1):,.1f}"
    return f"{text}{unit}" if lang == "zh" and unit else text


def percent(share: float | None) -> str:
    """A share in [0, 1] as a percentage with one decimal."""
    return MISSING if _missing(share) else f"{_rounded(share * 100, 1):.1f}%"


def value(
    value: float | None,
    value_kind: str,
    unit: str | None,
    lang: str = "zh",
    suppressed: object = False,
) -> str:
    """A KPI value in its catalogue unit; "<5" where the disclosure-control gate hid it."""
    if is_flagged(suppressed):
        return SUPPRESSED
    if value_kind == "rate":
        return percent(value)
    return number(value, unit or "", lang)


def figure(value: float | None, suppressed: object = False) -> str:
    """A raw figure in a table (no unit, no rounding): "<5" where hidden, "—" where missing."""
    if is_flagged(suppressed):
        return SUPPRESSED
    return MISSING if _missing(value) else str(value)


# A change that rounds to nothing, as written everywhere (cards, brief, summary): never "-0",
# "+0" or "+0.0 个百分点".
FLAT = {"zh": "持平", "en": "0"}


def change(
    current: float | None,
    previous: float | None,
    value_kind: str,
    points: str = "pp",
    lang: str = "zh",
) -> str | None:
    """The change to a comparison value: percentage points (written `points`) for rates, else
    the difference; `FLAT` when it rounds to zero; None when either side is missing."""
    if _missing(current) or _missing(previous):
        return None
    delta = current - previous
    if value_kind == "rate":
        shown, digits, suffix = _rounded(delta * 100, 1), 1, points
    elif float(delta).is_integer() or abs(delta) >= 10:
        shown, digits, suffix = _rounded(delta, 0), 0, ""
    else:
        shown, digits, suffix = _rounded(delta, 1), 1, ""
    if shown == 0:
        return FLAT.get(lang, FLAT["zh"])
    return f"{shown:+,.{digits}f}{suffix}"


def month_zh(month: str) -> str:
    """'2025-06' as a Chinese report writes it: 2025年6月."""
    year, mon = month[:7].split("-")
    return f"{int(year)}年{int(mon)}月"


def date_zh(day: str) -> str:
    """'2025-07-03' as 2025年7月3日."""
    year, mon, dom = day[:10].split("-")
    return f"{int(year)}年{int(mon)}月{int(dom)}日"
