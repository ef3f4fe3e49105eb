"""Numbers the way Chinese government reports write them."""

from __future__ import annotations

import math

SUPPRESSED = "<5"


def is_flagged(flag: object) -> bool:
    """A suppression flag from a query: True, or missing/NA/False."""
    try:
        return not _missing(flag) and bool(flag)
    except TypeError:  # pandas.NA
        return False


def _missing(value: float | None) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def number(value: float | None, unit: str = "", lang: str = "zh") -> str:
    """Counts: 万 from ten thousand up in Chinese, thousands separators in English."""
    if _missing(value):
        return "—"
    if lang == "zh" and abs(value) >= 10_000:
        text = f"{value / 10_000:.1f}万"
    elif float(value).is_integer():
        text = f"{int(value):,}"
    else:
        text = f"{value:,.1f}"
    return f"{text}{unit}" if lang == "zh" and unit else text


def percent(share: float | None) -> str:
    """A share in [0, 1] as a percentage with one decimal."""
    return "—" if _missing(share) else f"{share * 100:.1f}%"


def value(
    value: float | None,
    value_kind: str,
    unit: str | None,
    lang: str = "zh",
    suppressed: bool = False,
) -> str:
    """A KPI value in its catalogue unit; "<5" where small-cell suppression hid it."""
    if is_flagged(suppressed):
        return SUPPRESSED
    if value_kind == "rate":
        return percent(value)
    return number(value, unit or "", lang)


def change(current: float | None, previous: float | None, value_kind: str) -> str | None:
    """The change to a comparison value: percentage points for rates, else the difference."""
    if _missing(current) or _missing(previous):
        return None
    delta = current - previous
    if value_kind == "rate":
        return f"{delta * 100:+.1f}pp"
    return f"{delta:+,.0f}" if float(delta).is_integer() or abs(delta) >= 10 else f"{delta:+,.1f}"
