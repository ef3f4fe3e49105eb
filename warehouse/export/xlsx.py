"""kpis.xlsx as a leader opens it in WPS or Excel: 总览 first (one row per KPI with its status),
a sheet per theme, the long table with its ids on 明细 for analysts, each KPI's 口径 and
provenance on 说明, the build on 元数据; a new version of a month opens with 更正说明.

Figures are numbers with number formats (rates as percentages, counts with their unit), so
the workbook still adds up; text (the change on last month, targets on 说明) is written by
warehouse.present.format, as on the cards. Status words and colours come from the headline
frame; a column the frame does not have yet reads as an empty cell."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from warehouse.export.sheet_layout import write_table
from warehouse.export.xlsx_figures import detail, overview, theme_table
from warehouse.export.xlsx_notes import metadata, notes, revision
from warehouse.kpis import Run


def code_names(run: Run) -> dict[str, dict[str, str]]:
    """Chinese names of the worker groups and platforms, for `write_xlsx`'s `labels`."""
    groups = run("select group_code as code, group_name as name from dim_worker_group", [])
    platforms = run("select platform_code as code, platform_name as name from dim_platform", [])
    return {
        "group": dict(zip(groups["code"], groups["name"], strict=True)),
        "platform": dict(zip(platforms["code"], platforms["name"], strict=True)),
    }


def write_xlsx(
    path: Path,
    rows: pd.DataFrame,
    headline: pd.DataFrame,
    meta: dict,
    theme_names: dict[str, str],
    labels: dict[str, dict[str, str]] | None = None,
) -> None:
    """Write the workbook. `rows` are the pack's rows as people read them ("<5" where
    hidden); `headline` one row per KPI in page order; `labels` the Chinese names of group
    and platform codes (see `code_names`; without them the codes are shown)."""
    from openpyxl import Workbook

    book = Workbook()
    book.remove(book.active)
    tables = []
    if meta.get("revision") is not None:
        tables.append(("更正说明", revision(meta)))
    tables.append(("总览", overview(headline, meta)))
    names = labels or {}
    for theme in dict.fromkeys(headline["theme"]):
        table = theme_table(theme, rows, headline, meta, theme_names.get(theme, theme), names)
        if table.rows:
            tables.append((theme_names.get(theme, theme), table))
    tables.append(("明细", detail(rows, headline, meta)))
    tables.append(("说明", notes(headline, meta)))
    tables.append(("元数据", metadata(meta)))
    for name, table in tables:
        write_table(book.create_sheet(name[:31]), table)
    book.properties.creator = "小哥友好城市 指标仓"
    book.save(path)
