"""kpis.xlsx's text sheets: 更正说明 (what a new version corrected), 说明 (each KPI's 口径 and
provenance) and 元数据 (the build); and the titles every sheet shares."""

from __future__ import annotations

import pandas as pd

from warehouse.export.sheet_layout import Column, Table, cell_values
from warehouse.present.format import MISSING, date_zh, month_zh, value

ALL = "全部"  # a row over every group (or platform)

# the engine that computed the figures (xiaoge_build.engine), as an analyst names it
ENGINE_NAMES = {"duckdb": "DuckDB", "spark": "Apache Spark"}


def headline_column(frame: pd.DataFrame, name: str) -> list[object]:
    """A headline column's values, or empty cells where the frame has no such column."""
    return frame[name].tolist() if name in frame.columns else [None] * len(frame)


def present(item: object) -> bool:
    return cell_values([item])[0] not in (None, "")


def area_name(meta: dict) -> str:
    return meta.get("district_name") or "杭州市"


def title(meta: dict, what: str) -> str:
    parts = [
        f"{area_name(meta)}小哥友好城市建设 {what} {month_zh(meta['month'])}",
        f"第 {meta['version']} 版",
    ]
    if meta.get("data_as_of"):
        parts.append(f"数据截至 {month_zh(meta['data_as_of'])}")
    if meta.get("published_on"):
        parts.append(f"发布日期 {date_zh(meta['published_on'])}")
    return " · ".join(parts)


def month_cell(month: object) -> str | None:
    """A 'YYYY-MM' month as 2025年6月, or an empty cell."""
    return month_zh(str(month)) if present(month) else None


def goal_text(goal: object, goal_month: object, kind: str, unit: str) -> str | None:
    """The year-end goal as the cards write it, with its month."""
    if not present(goal):
        return None
    text = value(goal, kind, unit)
    return f"{text}({month_cell(goal_month)})" if present(goal_month) else text


def notes(headline: pd.DataFrame, meta: dict) -> Table:
    """Each KPI's 口径 and provenance: sources with their 数据截至, audit result, build id,
    target and year-end goal."""
    columns = [
        Column("指标"),
        Column("口径", wrap=True, max_width=48),
        Column("单位"),
        Column("来源(数据截至)", wrap=True, max_width=40),
        Column("数据截至"),
        Column("审计结果", wrap=True, max_width=20),
        Column("构建编号"),
        Column("目标"),
        Column("年末目标"),
    ]
    table = Table(title(meta, "指标口径与来源"), columns, [])
    provenance = zip(
        *(
            headline_column(headline, n)
            for n in ("sources_zh", "data_as_of", "audit_zh", "build_id", "target", "goal")
        ),
        headline_column(headline, "goal_month"),
        strict=True,
    )
    for kpi, (sources, as_of, audit, build, target, goal, goal_month) in zip(
        headline.itertuples(index=False), provenance, strict=True
    ):
        table.rows.append(
            [
                kpi.name_zh,
                kpi.definition_zh,
                "%" if kpi.value_kind == "rate" else kpi.unit,
                *cell_values([sources]),
                month_cell(as_of),
                *cell_values([audit]),
                build if present(build) else meta.get("build_id"),
                value(target, kpi.value_kind, kpi.unit) if present(target) else None,
                goal_text(goal, goal_month, kpi.value_kind, kpi.unit),
            ]
        )
    return table


def metadata(meta: dict) -> Table:
    audit = meta.get("audit") or {}
    passed = {True: "通过", False: "未通过"}.get(audit.get("passed"), "无审计记录")
    items = [
        ("月份", meta["month"]),
        ("区域", meta.get("district_name") or meta.get("district_code") or "全市"),
        ("区县代码", meta.get("district_code")),
        ("版本", f"v{meta['version']}"),
        ("发布日期", meta.get("published_on")),
        ("数据截至", meta.get("data_as_of")),
        ("构建编号", meta.get("build_id")),
        ("构建时间", meta.get("built_at")),
        ("计算引擎", ENGINE_NAMES.get(meta.get("engine") or "duckdb")),
        ("审计结果", passed),
        ("审计警告", audit.get("warnings")),
        ("审计说明", meta.get("audit_summary_zh")),
        ("工具版本", meta.get("tool_version")),
    ]
    rows = [[label, text] for label, text in items if present(text)]
    return Table(
        title(meta, "月度指标 元数据"),
        [Column("项目"), Column("内容", wrap=True, max_width=50)],
        rows,
        autofilter=False,
    )


def revision(meta: dict) -> Table:
    """更正说明: each figure that changed since the previous version, old and new, and the
    landing files whose corrections caused it."""
    correction = meta["revision"]
    previous, version = correction["previous_version"], meta["version"]
    columns = [
        Column("指标"),
        Column("区域"),
        Column("群体"),
        Column("平台"),
        Column(f"第 {previous} 版数值", numeric=True),
        Column(f"第 {version} 版数值", numeric=True),
        Column("引起更正的数据文件", wrap=True, max_width=50),
    ]
    heading = f"更正说明:{area_name(meta)} {month_zh(meta['month'])} 第 {version} 版更正了第 {previous} 版的以下数字"
    rows = [
        [
            item.get("kpi_name"),
            item.get("area"),
            item.get("group_name") or ALL,
            item.get("platform_name") or ALL,
            item.get("old"),
            item.get("new"),
            "\n".join(item.get("files") or []) or MISSING,
        ]
        for item in correction.get("changes") or []
    ]
    if not rows:
        rows = [["本版数字与上一版相同", "", "", "", "", "", ""]]
    return Table(heading, columns, rows)
