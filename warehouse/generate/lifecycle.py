"""Shared machinery for registries that grow month by month, and for places on the map.

A registry (stations, scenes, canteens, volunteer teams, ...) is a set of entities with an
opening and an optional closing date, delivered monthly as a full snapshot. Its size follows
calendar anchors taken from the article (exact at each anchor) with uneven steps between them,
so the series is a campaign-shaped curve, not a straight line.
"""

from __future__ import annotations

from itertools import pairwise

import numpy as np
import pandas as pd

from warehouse.generate.calendar import month_end
from warehouse.generate.places import Places

# Approximate centres (lon, lat) of the built-up area of each division, and how far (degrees,
# one standard deviation) its streets spread around it: tight in the core, wide in the counties.
DISTRICT_CENTRE: dict[str, tuple[float, float, float]] = {
    "330102": (120.190, 30.275, 0.025), "330105": (120.145, 30.320, 0.025),
    "330106": (120.110, 30.240, 0.035), "330108": (120.200, 30.195, 0.015),
    "330109": (120.300, 30.150, 0.070), "330110": (120.000, 30.330, 0.060),
    "330111": (119.960, 30.050, 0.080), "330112": (119.720, 30.230, 0.090),
    "330113": (120.290, 30.420, 0.040), "330114": (120.470, 30.300, 0.040),
    "330122": (119.690, 29.800, 0.090), "330127": (119.040, 29.610, 0.120),
    "330182": (119.280, 29.480, 0.100),
}  # fmt: skip
# How much a kind of street draws service points: urban 街道 more than 镇, 乡 least.
STREET_KIND_WEIGHT = {"街道": 2.0, "镇": 1.0, "乡": 0.4}


def anchored_curve(
    window: list[pd.Period],
    anchors: dict[str, int],
    rng: np.random.Generator,
    evenness: float = 2.5,
) -> np.ndarray:
    """Size at each month end: exact at the anchors (YYYY-MM), uneven steps between them.

    Before the first anchor the size is the first anchor's, after the last the last's. Between
    two anchors the change is split over the months with Dirichlet weights (lower `evenness`,
    lumpier campaigns).
    """
    points = sorted((pd.Period(m, freq="M"), v) for m, v in anchors.items())
    counts = np.empty(len(window), dtype=np.int64)
    for i, month in enumerate(window):
        if month <= points[0][0]:
            counts[i] = points[0][1]
        elif month >= points[-1][0]:
            counts[i] = points[-1][1]
    for (m0, v0), (m1, v1) in pairwise(points):
        span = (m1 - m0).n
        weights = rng.dirichlet(np.full(span, evenness))
        path = v0 + np.round((v1 - v0) * np.cumsum(weights)).astype(np.int64)
        path[-1] = v1
        for k in range(span):
            month = m0 + k + 1
            if window[0] <= month <= window[-1]:
                counts[(month - window[0]).n] = path[k]
    return counts


def lifecycle(
    window: list[pd.Period],
    curve: np.ndarray,
    close_rate: float,
    rng: np.random.Generator,
    protected: int = 0,
    backfill_days: int = 1500,
) -> pd.DataFrame:
    """Open and close dates for a registry whose active count at each month end is `curve`.

    Entities 0..protected-1 open before the window and never close. Entities active at the
    first month opened before the window. Each later month closes about `close_rate` of the
    active ones and opens as many as needed to reach that month's count.
    """
    n_months = len(window)
    starts = np.array([m.to_timestamp() for m in window], dtype="datetime64[D]")
    days_in = np.array([m.days_in_month for m in window])
    open_month: list[np.ndarray] = [np.zeros(int(curve[0]), dtype=np.int64)]
    close_month = np.full(int(curve[0]), -1, dtype=np.int64)
    active = np.arange(int(curve[0]))
    next_id = int(curve[0])
    for i in range(1, n_months):
        candidates = active[active >= protected]
        k = int(rng.binomial(len(candidates), close_rate)) if len(candidates) else 0
        closing = rng.choice(candidates, size=k, replace=False) if k else np.array([], dtype=int)
        close_month[closing] = i
        active = np.setdiff1d(active, closing)
        n_new = max(0, int(curve[i]) - len(active))
        if len(active) > curve[i]:  # the curve falls: close the surplus too
            extra = rng.choice(
                active[active >= protected], size=len(active) - int(curve[i]), replace=False
            )
            close_month[extra] = i
            active = np.setdiff1d(active, extra)
        new = np.arange(next_id, next_id + n_new)
        next_id += n_new
        open_month.append(np.full(n_new, i, dtype=np.int64))
        close_month = np.concatenate([close_month, np.full(n_new, -1, dtype=np.int64)])
        active = np.concatenate([active, new])
    opened = np.concatenate(open_month)
    n = len(opened)
    open_day = rng.integers(0, days_in[opened])
    open_date = starts[opened] + open_day.astype("timedelta64[D]")
    before = opened == 0
    open_date[before] = starts[0] - rng.integers(1, backfill_days, size=int(before.sum())).astype(
        "timedelta64[D]"
    )
    closed = close_month >= 0
    close_date = np.full(n, np.datetime64("NaT"), dtype="datetime64[D]")
    cm = close_month[closed]
    close_date[closed] = starts[cm] + rng.integers(0, days_in[cm]).astype("timedelta64[D]")
    # a closure never precedes the opening
    close_date[closed] = np.maximum(close_date[closed], open_date[closed] + np.timedelta64(1, "D"))
    return pd.DataFrame(
        {
            "open_month": opened,
            "close_month": close_month,
            "open_date": pd.to_datetime(open_date),
            "close_date": pd.to_datetime(close_date),
        }
    )


def snapshot(frame: pd.DataFrame, month: pd.Period, opened: str, closed: str) -> pd.DataFrame:
    """The registry as delivered at `month`'s end: opened by then, later closures not yet known."""
    cutoff = month_end(month)
    rows = frame[frame[opened] <= cutoff].copy()
    rows.loc[rows[closed] > cutoff, closed] = pd.NaT
    return rows


def street_weights(places: Places, district_weight: pd.Series | None = None) -> pd.DataFrame:
    """Streets with the probability that a service point lands in each one."""
    streets = places.streets.merge(
        places.districts[["district_code", "weight"]], on="district_code", how="left"
    )
    if district_weight is not None:
        streets["weight"] = streets["district_code"].map(district_weight)
    kind = (
        streets["street_name"]
        .str[-2:]
        .map(lambda s: STREET_KIND_WEIGHT.get(s, STREET_KIND_WEIGHT.get(s[-1:], 1.0)))
    )
    within = kind / kind.groupby(streets["district_code"]).transform("sum")
    streets["p"] = streets["weight"] * within
    streets["p"] = streets["p"] / streets["p"].sum()
    lon0 = streets["district_code"].map(lambda d: DISTRICT_CENTRE[d][0])
    lat0 = streets["district_code"].map(lambda d: DISTRICT_CENTRE[d][1])
    spread = streets["district_code"].map(lambda d: DISTRICT_CENTRE[d][2])
    # A fixed, seed-independent offset per street (from its code), so maps agree across runs.
    offsets = np.array(
        [
            np.random.default_rng(int(code)).normal(0.0, 1.0, size=2)
            for code in streets["street_code"]
        ]
    )
    streets["lon"] = lon0 + offsets[:, 0] * spread
    streets["lat"] = lat0 + offsets[:, 1] * spread * 0.85
    return streets.reset_index(drop=True)


def place(streets: pd.DataFrame, n: int, rng: np.random.Generator, jitter: float) -> pd.DataFrame:
    """`n` points: a street drawn by weight, coordinates scattered around its centre."""
    pick = rng.choice(len(streets), size=n, p=streets["p"].to_numpy())
    chosen = streets.iloc[pick].reset_index(drop=True)
    return pd.DataFrame(
        {
            "district_code": chosen["district_code"],
            "street_code": chosen["street_code"],
            "street_name": chosen["street_name"],
            "lon": (chosen["lon"] + rng.normal(0.0, jitter, n)).round(6),
            "lat": (chosen["lat"] + rng.normal(0.0, jitter * 0.85, n)).round(6),
        }
    )
