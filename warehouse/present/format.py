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


def change(
    current: float | None, previous: float | None, value_kind: str, points: str = "pp"
) -> str | None:
    """The change to a comparison value: percentage points (written `points`) for rates, else
    the difference; None when either side is missing."""
    if _missing(current) or _missing(previous):
        return None
    delta = current - previous
    if value_kind == "rate":
        return f"{_rounded(delta * 100, 1):+.1f}{points}"
    if float(delta).is_integer() or abs(delta) >= 10:
        return f"{_rounded(delta, 0):+,.0f}"
    return f"{_rounded(delta, 1):+,.1f}"
