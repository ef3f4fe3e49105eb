"""Writing a landing file as XLSX, fast and byte for byte the same for the same rows.

A minimal SpreadsheetML package written directly (one sheet, inline strings, numbers as
numbers, dates as text the way platform exports give them): openpyxl's writer takes about
0.3 ms a row, too slow for city-scale files, and stamps the current time into the file.
Every zip member gets a fixed time so the bytes depend only on the rows.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

import numpy as np
import pandas as pd

from warehouse.contracts import Table

ZIP_TIME = (2025, 1, 1, 0, 0, 0)
CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    "</Types>"
)
ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
    'Target="xl/workbook.xml"/></Relationships>'
)
WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" '
    'Target="worksheets/sheet1.xml"/></Relationships>'
)
SHEET_HEAD = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
)
SHEET_TAIL = "</sheetData></worksheet>"
EMPTY = "<c/>"


def _escape(text: pd.Series) -> pd.Series:
    return text.str.replace("&", "&amp;").str.replace("<", "&lt;").str.replace(">", "&gt;")


def _cells(values: pd.Series) -> pd.Series:
    """One column's cells as XML (positional, no references: an empty cell keeps its place)."""
    missing = values.isna().to_numpy()
    if pd.api.types.is_datetime64_any_dtype(values):
        text = values.dt.strftime("%Y-%m-%d")
    elif pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values):
        number = values.astype(object).map(lambda v: repr(v.item() if hasattr(v, "item") else v))
        cells = "<c><v>" + number + "</v></c>"
        return pd.Series(np.where(missing, EMPTY, cells), index=values.index)
    else:
        text = values.map(
            lambda v: v.strftime("%Y-%m-%d") if isinstance(v, pd.Timestamp) else str(v)
        )
    cells = '<c t="inlineStr"><is><t>' + _escape(text.astype(str)) + "</t></is></c>"
    return pd.Series(np.where(missing, EMPTY, cells), index=values.index)


def write_xlsx(path: Path, table: Table, frame: pd.DataFrame) -> Path:
    """Write `frame` (columns named as in the contract) as one sheet under the source's headers."""
    path.parent.mkdir(parents=True, exist_ok=True)
    header = (
        "<row>"
        + "".join('<c t="inlineStr"><is><t>' + h + "</t></is></c>" for h in table.headers)
        + "</row>"
    )
    frame = frame.reset_index(drop=True)
    rows = pd.Series("<row>", index=frame.index)
    for column in table.columns:
        rows = rows + _cells(frame[column.name])
    body = "".join((rows + "</row>").tolist())
    sheet = SHEET_HEAD + header + body + SHEET_TAIL
    tmp = path.with_name(f".{path.name}.tmp")
    with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in (
            ("[Content_Types].xml", CONTENT_TYPES),
            ("_rels/.rels", ROOT_RELS),
            ("xl/workbook.xml", WORKBOOK),
            ("xl/_rels/workbook.xml.rels", WORKBOOK_RELS),
            ("xl/worksheets/sheet1.xml", sheet),
        ):
            info = zipfile.ZipInfo(name, date_time=ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o600 << 16
            archive.writestr(info, data.encode("utf-8"))
    tmp.replace(path)
    return path
