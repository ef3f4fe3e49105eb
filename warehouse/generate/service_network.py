"""服务阵地: stations and their daily visits, canteens, friendly scenes and legal contact points.

Registry sizes at the window's last month are the article's: 3025 stations, 2537 friendly
scenes, 770 canteens (opened to the groups at off-peak hours from late 2023, mostly in 2024).
Registries get only duplicated rows as defects, so their month-end counts stay exact.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from warehouse.contracts import systems
from warehouse.generate import organisation
from warehouse.generate.calendar import month_end, months
from warehouse.generate.defects import DefectLog, inject
from warehouse.generate.files import landing_path, write_csv
from warehouse.generate.lifecycle import anchored_curve, lifecycle, place, snapshot, street_weights
from warehouse.generate.places import Places

SYSTEM = "service_network"
STATION_ANCHORS = {"2023-01": 1460, "2023-07": 1880, "2023-12": 2170, "2024-06": 2610,
                   "2024-12": 2890, "2025-06": 3025}  # fmt: skip
SCENE_ANCHORS = {"2023-01": 610, "2023-12": 1240, "2024-06": 1720, "2024-12": 2230,
                 "2025-06": 2537}  # fmt: skip
CANTEEN_ANCHORS = {"2023-09": 0, "2023-12": 70, "2024-03": 240, "2024-06": 455, "2024-09": 620,
                   "2024-12": 705, "2025-06": 770}  # fmt: skip
LEGAL_POINT_ANCHORS = {"2023-01": 18, "2023-12": 76, "2024-12": 148, "2025-06": 171}
STATION_TYPES = {"党群服务驿站": 0.22, "工会户外劳动者服务站": 0.30, "社区暖新驿站": 0.26,
                 "商圈楼宇驿站": 0.12, "平台站点驿站": 0.10}  # fmt: skip
SCENE_TYPES = {"小区": 0.42, "楼宇": 0.20, "商场": 0.10, "医院": 0.06, "高校": 0.05,
               "景区": 0.05, "工地": 0.12}  # fmt: skip
FACILITIES = ["饮水", "充电", "休息", "卫生间", "微波炉", "应急药箱", "雨具", "手机充电", "图书角"]
LAW_FIRMS = ["浙江天册律师事务所", "浙江京衡律师事务所", "浙江六和律师事务所", "北京大成(杭州)律师事务所",
             "国浩律师(杭州)事务所", "浙江浙经律师事务所", "浙江泽大律师事务所"]  # fmt: skip
# Share of stations with a visitor counter, whose daily counts are delivered.
COUNTER_SHARE = {"small": 0.08, "city": 1.0}
# Share of stations a party organisation has taken on (联建) by the window's end.
ORG_LINK_SHARE = 0.86
REGISTRY_DEFECT_RATE = 0.005
EVENT_DEFECT_RATE = 0.008


def _choice(rng: np.random.Generator, options: dict[str, float], n: int) -> np.ndarray:
    p = np.array(list(options.values()))
    return rng.choice(np.array(list(options)), size=n, p=p / p.sum())


def stations(places: Places, start: str, end: str, seed: int) -> pd.DataFrame:
    """Every station with its opening, closing, and the month a party organisation took it on."""
    rng = np.random.default_rng([seed, 101])
    window = months(start, end)
    curve = anchored_curve(window, STATION_ANCHORS, rng)
    life = lifecycle(window, curve, 0.003, rng, backfill_days=1800)
    n = len(life)
    where = _place_by_cohort(street_weights(places), life["open_month"].to_numpy(), rng, 0.012)
    frame = pd.concat([life, where], axis=1)
    frame["station_id"] = [f"YZ{i + 1:06d}" for i in range(n)]
    frame["station_type"] = _choice(rng, STATION_TYPES, n)
    frame["station_name"] = (
        frame["street_name"]
        + frame["station_type"].str.replace("驿站", "").str.replace("服务站", "")
        + "驿站"
        + (np.arange(n) % 97 + 1).astype(str)
        + "号"
    )
    has = rng.random((n, len(FACILITIES))) < np.array(
        [0.98, 0.9, 0.95, 0.6, 0.55, 0.7, 0.5, 0.8, 0.3]
    )
    frame["facilities"] = [
        "、".join(f for f, h in zip(FACILITIES, row, strict=True) if h) for row in has
    ]
    frame["manager_phone"] = _phones(rng, n)
    # the first stations of each district got visitor counters in the pilot, then a sample
    frame["has_counter"] = rng.random(n)
    pilot = frame.sort_values(["open_date", "station_id"]).groupby("district_code").head(4).index
    frame.loc[pilot, "has_counter"] = 0.0
    frame["base_visits"] = rng.lognormal(np.log(18.0), 0.5, n) * frame["district_code"].map(
        lambda d: 1.3 if d in ("330102", "330105", "330106", "330108") else 0.8
    )
    frame["org_id"], frame["link_month"] = _link_orgs(places, frame, window, start, end, seed, rng)
    return frame


def _place_by_cohort(streets, open_month, rng, jitter: float) -> pd.DataFrame:
    """Early stations crowd into the busiest streets; later ones fill the gaps (15分钟服务圈)."""
    parts = []
    last = max(1, int(open_month.max()))
    by_district = streets.groupby("district_code")["p"]
    district = by_district.transform("sum")
    within = streets["p"] / district
    district = district**0.75  # stations reach the counties more than deliveries do
    for month in np.unique(open_month):
        rows = np.flatnonzero(open_month == month)
        sharpness = 4.0 - 3.5 * month / last
        sharp = within**sharpness
        cohort = streets.assign(
            p=district * sharp / sharp.groupby(streets["district_code"]).transform("sum")
        )
        cohort["p"] = cohort["p"] / cohort["p"].sum()
        parts.append(place(cohort, len(rows), rng, jitter).set_axis(rows))
    return pd.concat(parts).sort_index()


def _link_orgs(places, frame, window, start, end, seed, rng):
    """Which organisation takes each station on, and from which month (-1: never)."""
    orgs = organisation.registry(places, start, end, seed)
    ends = np.array([month_end(m) for m in window])
    n = len(frame)
    # The month a station would be taken on: organisations push harder as they grow.
    weight = np.linspace(0.4, 1.6, len(window)) ** 2
    wanted = rng.choice(len(window), size=n, p=weight / weight.sum())
    wanted[rng.random(n) < 0.32] = 0  # already under an organisation at the window's start
    wanted = np.maximum(wanted, frame["open_month"].to_numpy())
    linked = rng.random(n) < ORG_LINK_SHARE
    link_month = np.where(linked, wanted, -1)
    org_id = np.full(n, None, dtype=object)
    districts = frame["district_code"].to_numpy()
    for i, cutoff in enumerate(ends):
        active = orgs[
            (orgs["established_date"] <= cutoff)
            & (
                orgs["dissolved_date"].isna()
                | (orgs["dissolved_date"] > cutoff + pd.Timedelta(days=400))
            )
        ]
        todo = np.flatnonzero(link_month == i)
        if len(todo) == 0 or active.empty:
            continue
        for district in np.unique(districts[todo]):
            rows = todo[districts[todo] == district]
            local = active[active["district_code"] == district]["org_id"].to_numpy()
            pool = local if len(local) else active["org_id"].to_numpy()
            org_id[rows] = rng.choice(pool, size=len(rows))
    return org_id, link_month


def _phones(rng: np.random.Generator, n: int) -> list[str]:
    prefix = rng.choice(["135", "138", "139", "151", "157", "177", "187", "189", "199"], size=n)
    tail = rng.integers(0, 10**8, size=n)
    return [f"{p}{t:08d}" for p, t in zip(prefix, tail, strict=True)]


def scenes(places: Places, start: str, end: str, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng([seed, 102])
    window = months(start, end)
    curve = anchored_curve(window, SCENE_ANCHORS, rng)
    life = lifecycle(window, curve, 0.002, rng, backfill_days=900)
    n = len(life)
    streets = street_weights(places)
    streets["p"] = streets["p"] ** 0.5 / (streets["p"] ** 0.5).sum()
    frame = pd.concat([life, place(streets, n, rng, jitter=0.035)], axis=1)
    frame["scene_id"] = [f"CJ{i + 1:06d}" for i in range(n)]
    frame["scene_type"] = _choice(rng, SCENE_TYPES, n)
    frame["scene_name"] = (
        frame["street_name"]
        + frame["scene_type"]
        + "友好场景"
        + (np.arange(n) % 89 + 1).astype(str)
        + "号"
    )
    return frame.rename(columns={"open_date": "opened_date", "close_date": "closed_date"})


def canteens(places: Places, start: str, end: str, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng([seed, 103])
    window = months(start, end)
    curve = anchored_curve(window, CANTEEN_ANCHORS, rng, evenness=4.0)
    life = lifecycle(window, curve, 0.002, rng, backfill_days=60)
    n = len(life)
    frame = pd.concat([life, place(street_weights(places), n, rng, jitter=0.01)], axis=1)
    frame["canteen_id"] = [f"ST{i + 1:05d}" for i in range(n)]
    frame["canteen_name"] = (
        frame["street_name"] + "社区食堂" + (np.arange(n) % 9 + 1).astype(str) + "号"
    )
    frame["daily_meals"] = rng.lognormal(np.log(16.0), 0.45, n)
    return frame


def legal_points(places: Places, start: str, end: str, seed: int) -> pd.DataFrame:
    """At most one contact point per street, the busier streets first."""
    rng = np.random.default_rng([seed, 104])
    window = months(start, end)
    curve = anchored_curve(window, LEGAL_POINT_ANCHORS, rng)
    life = lifecycle(window, curve, 0.0, rng, backfill_days=400)
    streets = street_weights(places)
    order = rng.choice(len(streets), size=len(life), replace=False, p=streets["p"].to_numpy())
    chosen = streets.iloc[order].reset_index(drop=True)
    frame = pd.concat([life, chosen[["district_code", "street_code", "street_name"]]], axis=1)
    frame["point_id"] = [f"FL{i + 1:04d}" for i in range(len(frame))]
    frame["point_name"] = frame["street_name"] + "新就业群体公益律师联络点"
    frame["law_firm"] = rng.choice(LAW_FIRMS, size=len(frame))
    return frame.rename(columns={"open_date": "established_date", "close_date": "closed_date"})


def _visits(frame: pd.DataFrame, month: pd.Period, i: int, share: float, rng) -> pd.DataFrame:
    """Daily counts of the counted stations open on each day of the month."""
    counted = frame[(frame["has_counter"] < share)]
    days = pd.date_range(month.to_timestamp(), month_end(month), freq="D")
    open_ = counted["open_date"].to_numpy()[:, None] <= days.to_numpy()[None, :]
    closed = counted["close_date"].to_numpy()[:, None] <= days.to_numpy()[None, :]
    station_idx, day_idx = np.nonzero(open_ & ~closed)
    if len(station_idx) == 0:
        return pd.DataFrame(columns=["station_id", "visit_date", "visits"])
    season = 1.0 + 0.25 * np.cos((month.month - 7.5) / 12 * 2 * np.pi)  # heat and cold drive visits
    growth = 0.8 + 0.4 * i / 30
    weekday = np.where(days.day_of_week[day_idx] >= 5, 1.15, 1.0)
    lam = counted["base_visits"].to_numpy()[station_idx] * season * growth * weekday
    return pd.DataFrame(
        {
            "station_id": counted["station_id"].to_numpy()[station_idx],
            "visit_date": days[day_idx],
            "visits": rng.poisson(lam),
        }
    )


def write(
    out: Path, places: Places, start: str, end: str, seed: int, scale: str, log: DefectLog
) -> list[Path]:
    contract = systems()[SYSTEM]
    rng = np.random.default_rng([seed, 199])
    window = months(start, end)
    registries = {
        "stations": (stations(places, start, end, seed), "open_date", "close_date"),
        "friendly_scenes": (scenes(places, start, end, seed), "opened_date", "closed_date"),
        "canteens": (canteens(places, start, end, seed), "open_date", "close_date"),
        "legal_points": (legal_points(places, start, end, seed), "established_date", "closed_date"),
    }
    station_frame = registries["stations"][0]
    written: list[Path] = []
    for i, month in enumerate(window):
        for table, (frame, opened, closed) in registries.items():
            rows = snapshot(frame, month, opened, closed)
            if table == "stations":
                rows.loc[rows["link_month"].gt(i) | rows["link_month"].lt(0), "org_id"] = None
            if table == "canteens":
                open_days = (
                    (month_end(month) - rows["open_date"].clip(lower=month.to_timestamp())).dt.days
                    + 1
                ).clip(lower=0, upper=month.days_in_month)
                shut = rows["close_date"].notna()
                open_days[shut] = 0
                ramp = 0.7 + 0.3 * min(1.0, i / len(window) * 1.5)
                rows["meals_served"] = rng.poisson(rows["daily_meals"] * open_days * ramp)
            if rows.empty:  # no canteen had opened to the groups yet: nothing to deliver
                continue
            written.append(
                _write(
                    out,
                    contract.table(table),
                    month,
                    rows,
                    rng,
                    log,
                    ["duplicate"],
                    REGISTRY_DEFECT_RATE,
                )
            )
        visits = _visits(station_frame, month, i, COUNTER_SHARE[scale], rng)
        if visits.empty:
            continue
        written.append(
            _write(out, contract.table("station_visits"), month, visits, rng, log,
                   ["duplicate", "negative_count", "date_outside_month"], EVENT_DEFECT_RATE)
        )  # fmt: skip
    return written


def _write(out, table, month, rows, rng, log, kinds, rate) -> Path:
    path = landing_path(out, SYSTEM, str(month), table.name)
    relative = path.relative_to(out).as_posix()
    rows = inject(rows.reset_index(drop=True), table, kinds, rng, rate, log, relative)
    return write_csv(path, table, rows, encoding="gbk")
