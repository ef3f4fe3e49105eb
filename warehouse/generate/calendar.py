"""Months of the demo window."""

from __future__ import annotations

import pandas as pd


def months(start: str, end: str) -> list[pd.Period]:
    return list(pd.period_range(start=start, end=end, freq="M"))


def month_end(month: pd.Period) -> pd.Timestamp:
    return month.to_timestamp(how="end").normalize()
