"""Numbers the way Chinese government reports write them."""

from __future__ import annotations

import math


def number(value: float | None, unit: str = "", lang: str = "zh") -> str:
    """Counts: 万 above ten thousand in Chinese, thousands separators in English."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    if lang == "zh" and abs(value) >= 10_000:
        text = f"{value / 10_000:.1f}万"
    elif float(value).is_integer():
        text = f"{int(value):,}"
    else:
        text = f"{value:,.1f}"
    return f"{text}{unit}" if lang == "zh" else text


def percent(share: float | None) -> str:
    """A share in [0, 1] as a percentage with one decimal."""
    if share is None or (isinstance(share, float) and math.isnan(share)):
        return "—"
    return f"{share * 100:.1f}%"


def change(current: float | None, previous: float | None) -> float | None:
    """Difference to the comparison value, or None when there is none."""
    if current is None or previous is None:
        return None
    if isinstance(previous, float) and math.isnan(previous):
        return None
    return current - previous
