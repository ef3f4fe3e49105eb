"""kpis.xlsx: the month's KPI rows, a sheet per theme, the definitions on 说明, build and
audit on 元数据."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

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


def write_xlsx(
    path: Path,
    rows: pd.DataFrame,
    headline: pd.DataFrame,
    meta: dict,
    theme_names: dict[str, str],
) -> None:
    """A sheet per theme (named from dim_kpi_theme), the definitions on 说明, build
    and audit on 元数据. `rows` are the pack's rows as people read them ("<5" where hidden)."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    book = Workbook()
    book.remove(book.active)
    header_font, header_fill = (
        Font(bold=True, color="FFFFFF"),
        PatternFill("solid", fgColor="C8161D"),
    )
    themes = headline.set_index("kpi_id")["theme"].to_dict()
    kinds = headline.set_index("kpi_id")["value_kind"].to_dict()

    def sheet(
        title: str, frame: pd.DataFrame, widths: dict[str, int], formats: dict[str, str]
    ) -> None:
        ws = book.create_sheet(title[:31])
        ws.append(list(frame.columns))
        for record in frame.itertuples(index=False):
            ws.append([None if (isinstance(v, float) and pd.isna(v)) else v for v in record])
        for index, column in enumerate(frame.columns, start=1):
            cell = ws.cell(row=1, column=index)
            cell.font, cell.fill = header_font, header_fill
            cell.alignment = Alignment(horizontal="center", vertical="center")
            ws.column_dimensions[get_column_letter(index)].width = widths.get(column, 14)
            for row in range(2, ws.max_row + 1):
                target = ws.cell(row=row, column=index)
                if column in formats:
                    target.number_format = formats[column]
        ws.freeze_panes = "A2"

    long = rows.rename(columns=LONG_COLUMNS)
    for theme in dict.fromkeys(headline["theme"]):
        theme_rows = long[long["指标代码"].map(themes) == theme].copy()
        if theme_rows.empty:
            continue
        rate = theme_rows["指标代码"].map(kinds) == "rate"
        theme_rows.loc[rate, "单位"] = "比例"
        sheet(
            theme_names.get(theme, theme),
            theme_rows,
            {"指标名称": 22, "区域": 10, "数值": 14, "分子": 14, "分母": 14},
            {"数值": "#,##0.0###", "分子": "#,##0", "分母": "#,##0"},
        )
    definitions = headline[
        ["kpi_id", "name_zh", "definition_zh", "unit", "value_kind", "source_model"]
    ].rename(
        columns={
            "kpi_id": "指标代码",
            "name_zh": "指标名称",
            "definition_zh": "定义",
            "unit": "单位",
            "value_kind": "类型",
            "source_model": "来源模型",
        }
    )
    sheet("说明", definitions, {"指标名称": 22, "定义": 70, "来源模型": 34}, {})
    metadata = pd.DataFrame(
        [
            ("月份", meta["month"]),
            ("区域", meta["district_code"] or "全市"),
            ("版本", f"v{meta['version']}"),
            ("构建编号", meta["build_id"]),
            ("构建时间", meta["built_at"]),
            ("审计结果", "通过" if meta["audit"]["passed"] else "未通过"),
            ("审计警告", meta["audit"]["warnings"]),
            ("工具版本", meta["tool_version"]),
        ],
        columns=["项目", "内容"],
    )
    sheet("元数据", metadata, {"项目": 14, "内容": 40}, {})
    book.properties.creator = "小哥友好城市 指标仓"
    book.save(path)
