"""服务台账: training sessions with person-level sign-ins, legal-aid cases and demands (诉求).

Training accelerates once 小哥学院 (2023-08) and the 三新学堂 night school (2024-03) open; the
window's attendances add up to the article's "1.1万余人次". Cases and demands are delivered in
the month they are received and again in the month they are closed, with their status then.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from warehouse.contracts import systems
from warehouse.generate.calendar import month_end, months
from warehouse.generate.defects import DefectLog, inject
from warehouse.generate.files import landing_path, write_csv
from warehouse.generate.lifecycle import street_weights
from warehouse.generate.places import Places

SYSTEM = "services"
# Expected attendances a month once a programme runs: (launch month, first level, last level).
PROGRAMMES = {
    "交通安全培训": ("2023-01", 70, 80),
    "职业技能培训": ("2023-01", 45, 110),
    "学历提升": ("2023-01", 15, 60),
    "小哥学院": ("2023-08", 90, 230),
    "三新学堂": ("2024-03", 80, 210),
}
PERSON_TIMES_TARGET = 11_450
SESSION_SIZE = {
    "交通安全培训": 45,
    "职业技能培训": 28,
    "学历提升": 20,
    "小哥学院": 35,
    "三新学堂": 25,
}
TITLES = {
    "交通安全培训": ["电动自行车安全驾驶", "恶劣天气配送安全", "交通事故应急处置"],
    "职业技能培训": ["电工证培训", "无人机操作", "养老护理员", "新能源汽车维修"],
    "学历提升": ["成人大专开学典礼", "学历提升网课辅导", "学位英语"],
    "小哥学院": ["城市认知课", "站长管理能力提升", "心理健康讲座", "法律知识进站点"],
    "三新学堂": ["直播电商", "短视频剪辑", "智能手机应用", "创业指导"],
}
GROUP_SHARE = {"网约配送员": 0.72, "快递员": 0.18, "网约车司机": 0.10}
CASE_CATEGORIES = {"劳动报酬": 0.34, "交通事故": 0.26, "工伤赔偿": 0.16, "合同纠纷": 0.1,
                   "人身损害": 0.08, "其他": 0.06}  # fmt: skip
CHANNELS = {
    "12345热线": 0.38,
    "小哥码": 0.22,
    "驿站现场": 0.18,
    "圆桌议事会": 0.08,
    "工会服务热线": 0.14,
}
DEMAND_CATEGORIES = {"薪酬结算": 0.16, "小区通行": 0.2, "停车充电": 0.14, "休息就餐": 0.1,
                     "交通事故与工伤": 0.1, "平台规则与算法": 0.12, "矛盾纠纷": 0.12, "其他": 0.06}  # fmt: skip
SURNAMES = list("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘")
GIVEN = list("伟芳娜敏静丽强磊军洋勇艳杰涛明超秀霞平刚桂英华建国志鹏浩宇俊峰晨辉")
EVENT_DEFECT_RATE = 0.008


def _choice(rng: np.random.Generator, options: dict[str, float], n: int) -> np.ndarray:
    p = np.array(list(options.values()))
    return rng.choice(np.array(list(options)), size=n, p=p / p.sum())


def _names(rng: np.random.Generator, n: int) -> pd.Series:
    surname = pd.Series(rng.choice(SURNAMES, n))
    given = pd.Series(rng.choice(GIVEN, n)) + np.where(
        rng.random(n) < 0.6, pd.Series(rng.choice(GIVEN, n)), ""
    )
    return surname + given


def _phones(rng: np.random.Generator, n: int) -> pd.Series:
    prefix = pd.Series(rng.choice(["133", "137", "150", "156", "176", "181", "186", "198"], n))
    return prefix + pd.Series(rng.integers(0, 10**8, n)).astype(str).str.zfill(8)


def training_plan(window: list[pd.Period], rng: np.random.Generator) -> pd.DataFrame:
    """Attendances per programme and month, scaled so the window adds up to the target."""
    rows = []
    for programme, (launch, first, last) in PROGRAMMES.items():
        launched = pd.Period(launch, freq="M")
        live = [m for m in window if m >= launched]
        for k, month in enumerate(live):
            level = first + (last - first) * (k / max(1, len(live) - 1)) ** 1.2
            holiday = 0.45 if month.month in (1, 2) else (0.8 if month.month in (7, 8) else 1.0)
            rows.append((programme, month, level * holiday * rng.lognormal(0.0, 0.18)))
    plan = pd.DataFrame(rows, columns=["programme", "month", "expected"])
    plan["person_times"] = rng.poisson(
        plan["expected"] * PERSON_TIMES_TARGET / plan["expected"].sum()
    )
    return plan


def training(places: Places, window: list[pd.Period], rng: np.random.Generator):
    plan = training_plan(window, rng)
    plan["sessions"] = np.maximum(
        1, np.round(plan["person_times"] / plan["programme"].map(SESSION_SIZE))
    ).astype(int)
    sessions = plan.loc[plan.index.repeat(plan["sessions"])].reset_index(drop=True)
    # split each programme-month's attendances over its sessions
    share = rng.dirichlet(np.full(int(plan["sessions"].max()), 4.0), size=len(plan))
    sizes = []
    for r, (pt, s) in enumerate(zip(plan["person_times"], plan["sessions"], strict=True)):
        p = share[r, :s] / share[r, :s].sum()
        sizes.append(rng.multinomial(pt, p))
    sessions["attendees"] = np.concatenate(sizes)
    sessions = sessions[sessions["attendees"] > 0].reset_index(drop=True)
    n = len(sessions)
    districts = places.districts
    sessions["district_code"] = rng.choice(
        districts["district_code"], size=n, p=districts["weight"]
    )
    day = rng.integers(0, sessions["month"].map(lambda m: m.days_in_month))
    sessions["session_date"] = sessions["month"].map(lambda m: m.to_timestamp()) + pd.to_timedelta(
        day, unit="D"
    )
    sessions["title"] = [rng.choice(TITLES[p]) for p in sessions["programme"]]
    sessions = sessions.sort_values(["month", "session_date", "programme"], ignore_index=True)
    sessions["session_id"] = (
        "PX"
        + sessions["month"].map(lambda m: m.strftime("%Y%m"))
        + sessions.groupby("month").cumcount().add(1).astype(str).str.zfill(4)
    )
    attendance = sessions.loc[
        sessions.index.repeat(sessions["attendees"]), ["month", "session_id"]
    ].reset_index(drop=True)
    attendance["sign_in_no"] = attendance.groupby("session_id").cumcount() + 1
    m = len(attendance)
    attendance["group_name"] = _choice(rng, GROUP_SHARE, m)
    attendance["attendee_name"] = _names(rng, m)
    attendance["attendee_phone"] = _phones(rng, m)
    return sessions, attendance


def _status_rows(
    frame: pd.DataFrame, received: str, resolved: str, window: list[pd.Period]
) -> pd.DataFrame:
    """Each record in its month of receipt and again in its month of closure, status as then."""
    first = frame.assign(_month=frame[received].dt.to_period("M"))
    cutoff = first["_month"].map(month_end)
    first.loc[first[resolved] > cutoff, resolved] = pd.NaT
    closed_later = frame[
        frame[resolved].notna()
        & (frame[resolved].dt.to_period("M") != frame[received].dt.to_period("M"))
    ]
    second = closed_later.assign(_month=closed_later[resolved].dt.to_period("M"))
    rows = pd.concat([first, second], ignore_index=True)
    return rows[rows["_month"] <= window[-1]]


def cases(places: Places, window: list[pd.Period], rng: np.random.Generator) -> pd.DataFrame:
    progress = np.linspace(0, 1, len(window))
    counts = rng.poisson(14 + 30 * progress)
    month = np.repeat(np.arange(len(window)), counts)
    n = len(month)
    starts = np.array([m.to_timestamp() for m in window])
    days = np.array([m.days_in_month for m in window])
    opened = pd.Series(starts[month]) + pd.to_timedelta(rng.integers(0, days[month]), unit="D")
    duration = np.round(rng.lognormal(np.log(38), 0.6, n)).astype(int)
    closed = opened + pd.to_timedelta(duration, unit="D")
    closed[rng.random(n) < 0.04] = pd.NaT
    streets = street_weights(places)
    where = streets.iloc[rng.choice(len(streets), size=n, p=streets["p"].to_numpy())]
    frame = pd.DataFrame(
        {
            "case_id": [f"FY{d:%Y%m}{k:05d}" for k, d in enumerate(opened, start=1)],
            "street_code": where["street_code"].to_numpy(),
            "category": _choice(rng, CASE_CATEGORIES, n),
            "opened_date": opened,
            "closed_date": closed,
        }
    )
    return _status_rows(frame, "opened_date", "closed_date", window)


def demands(places: Places, window: list[pd.Period], rng: np.random.Generator) -> pd.DataFrame:
    progress = np.linspace(0, 1, len(window))
    season = np.array([1.2 if m.month in (7, 8, 12, 1) else 1.0 for m in window])
    counts = rng.poisson((240 + 330 * progress) * season)
    month = np.repeat(np.arange(len(window)), counts)
    n = len(month)
    starts = np.array([m.to_timestamp() for m in window])
    days = np.array([m.days_in_month for m in window])
    received = pd.Series(starts[month]) + pd.to_timedelta(rng.integers(0, days[month]), unit="D")
    # quicker handling as the programme matures: median about 9 days falling to about 4
    median_days = 9.0 - 5.0 * progress[month]
    duration = np.floor(rng.lognormal(np.log(median_days), 0.75)).astype(int)
    resolved = received + pd.to_timedelta(duration, unit="D")
    resolved[rng.random(n) < 0.03] = pd.NaT
    streets = street_weights(places)
    # every street raises demands, the quiet counties too, if fewer than the core
    district = streets.groupby("district_code")["p"].transform("sum")
    streets["p"] = district**0.4 * streets["p"] / district
    streets["p"] = streets["p"] / streets["p"].sum()
    where = streets.iloc[rng.choice(len(streets), size=n, p=streets["p"].to_numpy())]
    street = where["street_code"].to_numpy().astype(object)
    street[rng.random(n) < 0.05] = None
    good = 0.55 + 0.3 * progress[month]
    satisfaction = np.where(
        rng.random(n) < good,
        rng.choice([4, 5], n, p=[0.4, 0.6]),
        rng.choice([1, 2, 3], n, p=[0.2, 0.3, 0.5]),
    )
    frame = pd.DataFrame(
        {
            "demand_id": [f"SQ{d:%Y%m}{k:06d}" for k, d in enumerate(received, start=1)],
            "channel": _choice(rng, CHANNELS, n),
            "category": _choice(rng, DEMAND_CATEGORIES, n),
            "street_code": street,
            "received_date": received,
            "resolved_date": resolved,
            "satisfaction": pd.array(satisfaction, dtype="Int64"),
            "complainant_phone": _phones(rng, n),
        }
    )
    rows = _status_rows(frame, "received_date", "resolved_date", window)
    rows.loc[rows["resolved_date"].isna(), "satisfaction"] = pd.NA
    return rows


def write(out: Path, places: Places, start: str, end: str, seed: int, log: DefectLog) -> list[Path]:
    contract = systems()[SYSTEM]
    rng = np.random.default_rng([seed, 301])
    window = months(start, end)
    sessions, attendance = training(places, window, rng)
    case_rows = cases(places, window, rng)
    demand_rows = demands(places, window, rng)
    written: list[Path] = []
    for month in window:
        parts = [
            ("training_sessions", sessions[sessions["month"] == month], ["duplicate", "unknown_code", "date_outside_month"]),
            ("training_attendance", attendance[attendance["month"] == month], ["duplicate"]),
            ("legal_aid_cases", case_rows[case_rows["_month"] == month], ["duplicate", "unknown_code"]),
            ("demands", demand_rows[demand_rows["_month"] == month], ["duplicate", "unknown_code"]),
        ]  # fmt: skip
        for table_name, rows, kinds in parts:
            if rows.empty:
                continue
            table = contract.table(table_name)
            path = landing_path(out, SYSTEM, str(month), table_name)
            rows = inject(
                rows.reset_index(drop=True),
                table,
                kinds,
                rng,
                EVENT_DEFECT_RATE,
                log,
                path.relative_to(out).as_posix(),
            )
            written.append(write_csv(path, table, rows, encoding="gbk"))
    return written
