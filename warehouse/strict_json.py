"""JSON that every reader parses: a missing value is `null`, never `NaN` or `Infinity`.

Python's `json` writes a float NaN as the bare word `NaN` (and infinities as `Infinity`),
which is not JSON: JavaScript's `JSON.parse`, jq and most other readers refuse the whole
document. Pandas gives NaN for every missing number and every missing text in a numeric or
mixed column, so anything read from the warehouse can carry one.

Every JSON the warehouse writes (the commands' `--json` output, pack manifests, build and
version records, the access log) goes through `dumps`, the one place values are made plain.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from datetime import date, datetime, time
from decimal import Decimal
from pathlib import PurePath

import numpy as np
import pandas as pd


def plain(value: object) -> object:
    """`value` as plain JSON types: missing values (None, NaN, ±inf, pd.NA, NaT) as None,
    numpy scalars and arrays as Python numbers and lists, dates and times as ISO 8601 text,
    paths as text, mappings and sequences converted item by item.

    Anything else is written as its text (`str`), as the commands always did.
    """
    if value is None or isinstance(value, str | bool):
        return value
    if isinstance(value, int):
        return int(value)  # an IntEnum or a subclass as the plain number
    if isinstance(value, float):
        return float(value) if math.isfinite(value) else None
    if value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, np.datetime64):
        return plain(pd.Timestamp(value))
    if isinstance(value, np.generic):  # numpy's int64, float32, bool_ ...
        return plain(value.item())
    if isinstance(value, Decimal):
        return plain(float(value))
    if isinstance(value, datetime | date | time):  # pd.Timestamp is a datetime
        return value.isoformat()
    if isinstance(value, Mapping):
        return {_key(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset | np.ndarray | pd.Series):
        return [plain(item) for item in value]
    if isinstance(value, PurePath):
        return str(value)
    return str(value)


def _key(key: object) -> object:
    """An object key `json` accepts (text, a number, a boolean or None; it writes them as
    text); anything else as its text."""
    converted = plain(key)
    if converted is None or isinstance(converted, str | int | float):
        return converted
    return str(converted)


def dumps(value: object, indent: int | None = None) -> str:
    """`value` as strict JSON text (UTF-8 characters as they are, not \\u escapes)."""
    return json.dumps(plain(value), ensure_ascii=False, allow_nan=False, indent=indent)
