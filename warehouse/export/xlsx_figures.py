"""kpis.xlsx's figure sheets: 总览 (one row per KPI with its status), a sheet per theme, and
明细 (the long table with its ids). Figures are numbers with number formats; the change on
last month is text written by warehouse.present.format, as on the cards."""

from __future__ import annotations

import pandas as pd

from warehouse.export.sheet_layout import Column, Table, cell_values, number_format
from warehouse.export.xlsx_notes import ALL, headline_column, month_cell, present, title
from warehouse.present.format import MISSING, change
from warehouse.privacy import SUPPRESSED, is_flagged

LONG_COLUMNS = {
    "kpi_id": "指标代码",
    "kpi_name": "指标名称",
    "month": "月份",
    "area": "区域",
    "district_code": "区县代码",
    "group_code": "群体",
    "platform_code": "平台",
    "value": "数值",
    "numerator": "分子",
    "denominator": "分母",
    "unit": "单位",
}


def _figure_cell(figure: object, suppressed: object) -> object:
    """A KPI figure for a number cell: the number, "<5" where hidden, "—" where missing."""
    if is_flagged(suppressed):
        return SUPPRESSED
    return cell_values([figure])[0] if present(figure) else MISSING


def overview(headline: pd.DataFrame, meta: dict) -> Table:
    """One row per KPI: this month's figure in its unit, the change on last month, the target
    and year-end goal, the status as a coloured cell with its word, and 数据截至."""
    columns = [
        Column("指标"),
        Column("本月数值", numeric=True),
        Column("较上月", numeric=True),
        Column("目标", numeric=True),
        Column("年末目标", numeric=True),
        Column("目标期限"),
        Column("状态"),
        Column("数据截至"),
    ]
    table = Table(title(meta, "月度指标"), columns, [], one_page=True)
    extra = {
        name: cell_values(headline_column(headline, name))
        for name in (
            "target",
            "goal",
            "goal_month",
            "status_name_zh",
            "status_colour",
            "data_as_of",
        )
    }
    for r, kpi in enumerate(headline.itertuples(index=False)):
        figure = _figure_cell(kpi.value, kpi.value_suppressed)
        target, as_of = extra["target"][r], extra["data_as_of"][r]
        moved = change(kpi.value, kpi.previous_month, kpi.value_kind, points=" 个百分点")
        table.rows.append(
            [
                kpi.name_zh,
                figure,
                moved or MISSING,
                target,
                extra["goal"][r],
                month_cell(extra["goal_month"][r]),
                extra["status_name_zh"][r],
                month_cell(as_of),
            ]
        )
        table.formats[(r, 1)] = number_format(kpi.value_kind, figure, kpi.unit)
        table.formats[(r, 3)] = number_format(kpi.value_kind, target, kpi.unit)
        table.formats[(r, 4)] = number_format(kpi.value_kind, extra["goal"][r], kpi.unit)
        if present(extra["status_colour"][r]) and present(extra["status_name_zh"][r]):
            table.fills[(r, 6)] = str(extra["status_colour"][r])
    return table


def _name(labels: dict[str, dict[str, str]], kind: str, code: object) -> str:
    if not present(code):
        return ALL
    return labels.get(kind, {}).get(str(code), str(code))


def theme_table(
    theme: str,
    rows: pd.DataFrame,
    headline: pd.DataFrame,
    meta: dict,
    theme_name: str,
    labels: dict[str, dict[str, str]],
) -> Table:
    """A theme's rows for people: Chinese names and headers, the figures formatted by kind."""
    kpis = headline[headline["theme"] == theme].set_index("kpi_id")
    columns = [
        Column("指标"),
        Column("区域"),
        Column("群体"),
        Column("平台"),
        Column("数值", numeric=True),
        Column("分子", numeric=True),
        Column("分母", numeric=True),
    ]
    table = Table(title(meta, f"{theme_name}指标"), columns, [])
    order = {kpi_id: i for i, kpi_id in enumerate(kpis.index)}
    chosen = rows[rows["kpi_id"].isin(kpis.index)]
    chosen = chosen.iloc[chosen["kpi_id"].map(order).argsort(kind="stable")]
    for r, row in enumerate(chosen.itertuples(index=False)):
        kind = kpis.at[row.kpi_id, "value_kind"]
        figures = cell_values([row.value, row.numerator, row.denominator])
        table.rows.append(
            [
                row.kpi_name,
                row.area,
                _name(labels, "group", row.group_code),
                _name(labels, "platform", row.platform_code),
                *figures,
            ]
        )
        table.formats[(r, 4)] = number_format(kind, figures[0], row.unit)
        table.formats[(r, 5)] = number_format(None, figures[1])
        table.formats[(r, 6)] = number_format(None, figures[2])
    return table


def detail(rows: pd.DataFrame, headline: pd.DataFrame, meta: dict) -> Table:
    """The long table with its ids and codes, for analysts."""
    kinds = headline.set_index("kpi_id")["value_kind"].to_dict()
    kept = [c for c in LONG_COLUMNS if c in rows.columns]
    columns = [
        Column(LONG_COLUMNS[c], numeric=c in ("value", "numerator", "denominator")) for c in kept
    ]
    table = Table(title(meta, "指标明细"), columns, [])
    where = {c: i for i, c in enumerate(kept)}
    for r, values in enumerate(rows[kept].itertuples(index=False)):
        cells = cell_values(values)
        table.rows.append(cells)
        kind = kinds.get(cells[where["kpi_id"]])
        for name in ("value", "numerator", "denominator"):
            if name in where:
                c = where[name]
                table.formats[(r, c)] = number_format(kind if name == "value" else None, cells[c])
    return table
