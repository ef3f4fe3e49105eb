"""The brief's 摘要, written from the headline frame: how the targets stand (三色), which KPIs
improved most on last month, the red items, and the revisions of this version. Plain Chinese
sentences; every figure written by warehouse.present.format."""

from __future__ import annotations

import pandas as pd

from warehouse.present.format import FLAT, change, month_zh, value

POINTS = " 个百分点"
STATUS_ORDER = ("green", "yellow", "red")
STATUS_WORDS = {"green": "绿色", "yellow": "黄色", "red": "红色"}


def column(headline: pd.DataFrame, name: str) -> pd.Series:
    """A headline column, or an all-missing one where the frame does not carry it yet."""
    if name in headline.columns:
        return headline[name]
    return pd.Series([None] * len(headline), index=headline.index, dtype=object)


def _known(item: object) -> bool:
    return item is not None and not pd.isna(item)


def moved(kpi: pd.Series) -> str | None:
    """The change on last month as the brief writes it (rates in 个百分点)."""
    return change(kpi["value"], kpi["previous_month"], kpi["value_kind"], points=POINTS)


def improvement(kpi: pd.Series) -> float | None:
    """The change on last month relative to last month's figure, signed so that a move in the
    KPI's good direction is positive; None where it cannot be judged (a figure missing or
    hidden, last month zero, no direction, or a change that rounds to nothing)."""
    current, previous = kpi["value"], kpi["previous_month"]
    sign = {"up": 1, "down": -1}.get(kpi["direction"])
    if sign is None or not _known(current) or not _known(previous) or previous == 0:
        return None
    if pd.notna(kpi.get("value_suppressed")) and bool(kpi.get("value_suppressed")):
        return None
    if moved(kpi) == FLAT["zh"]:
        return 0.0
    return sign * (current - previous) / abs(previous)


def _shown(kpi: pd.Series) -> str:
    return value(kpi["value"], kpi["value_kind"], kpi["unit"], suppressed=kpi["value_suppressed"])


def _names(items: list[str]) -> str:
    return items[0] if len(items) == 1 else "、".join(items[:-1]) + "和" + items[-1]


def status_counts(headline: pd.DataFrame) -> dict[str, int]:
    """How many figures are green, yellow and red (missing statuses are not counted)."""
    counts = column(headline, "status").value_counts()
    return {status: int(counts.get(status, 0)) for status in STATUS_ORDER}


def key_kpis(headline: pd.DataFrame, count: int = 2) -> pd.DataFrame:
    """The KPIs worth a chart: red first, then yellow, then those with a target, then the rest,
    each in page order, at most one a theme, only KPIs with a figure this month."""
    frame = headline[headline["value"].notna()].copy()
    rank = {"red": 0, "yellow": 1, "green": 2}
    status = column(frame, "status").map(lambda s: rank.get(s, 3))
    has_target = column(frame, "has_target").fillna(False).astype(bool)
    frame["_rank"] = status.where(status < 3, 3 + (~has_target).astype(int))
    frame["_order"] = range(len(frame))
    ordered = frame.sort_values(["_rank", "_order"]).drop_duplicates("theme")
    return ordered.head(count).sort_values("_order").drop(columns=["_rank", "_order"])


def summary_zh(headline: pd.DataFrame, month: str, area: str, meta: dict | None = None) -> str:
    """The 摘要 paragraph."""
    meta = meta or {}
    sentences = [_status_sentence(headline, month, area), _moves_sentence(headline)]
    sentences.append(_best_sentence(headline))
    sentences.append(_red_sentence(headline))
    revision = meta.get("revision")
    if revision:
        changes = revision.get("changes") or []
        sentences.append(
            f"本版较第 {revision.get('previous_version')} 版更正 {len(changes)} 项数字,"
            "详见更正说明。"
        )
    return "".join(s for s in sentences if s)


def _status_sentence(headline: pd.DataFrame, month: str, area: str) -> str:
    reported = int(headline["value"].notna().sum())
    opening = f"{month_zh(month)},{area} {len(headline)} 项指标中 {reported} 项有本月数据"
    counts = status_counts(headline)
    judged = sum(counts.values())
    if not judged:
        return opening + "。"
    parts = "、".join(f"{STATUS_WORDS[s]} {counts[s]} 项" for s in STATUS_ORDER)
    return f"{opening};对照目标的 {judged} 项中,{parts}。"


def _moves_sentence(headline: pd.DataFrame) -> str:
    scores = [improvement(kpi) for _, kpi in headline.iterrows()]
    known = [s for s in scores if s is not None]
    if not known:
        return ""
    better = sum(s > 0 for s in known)
    worse = sum(s < 0 for s in known)
    flat = sum(s == 0 for s in known)
    return f"与上月相比,{better} 项向好,{worse} 项回落,{flat} 项持平。"


def _best_sentence(headline: pd.DataFrame, count: int = 3) -> str:
    scored = [(improvement(kpi), index, kpi) for index, (_, kpi) in enumerate(headline.iterrows())]
    best = sorted(
        ((s, i, kpi) for s, i, kpi in scored if s is not None and s > 0),
        key=lambda item: (-item[0], item[1]),
    )[:count]
    if not best:
        return "本月没有较上月改善的指标。"
    named = [f"{kpi['name_zh']}({_shown(kpi)},较上月 {moved(kpi)})" for _, _, kpi in best]
    return f"改善最明显的是{_names(named)}。"


def _red_sentence(headline: pd.DataFrame, named_most: int = 4) -> str:
    status = column(headline, "status")
    if status.isna().all():
        return ""
    red = headline[status == "red"]
    if red.empty:
        return "本月没有红色预警指标。"
    named = []
    for _, kpi in red.head(named_most).iterrows():
        target = kpi.get("target")
        aim = f",目标 {value(target, kpi['value_kind'], kpi['unit'])}" if _known(target) else ""
        named.append(f"{kpi['name_zh']}({_shown(kpi)}{aim})")
    more = "等" if len(red) > named_most else ""
    return f"红色预警 {len(red)} 项:{'、'.join(named)}{more},需重点关注。"
