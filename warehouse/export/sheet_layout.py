"""How every sheet of kpis.xlsx looks and prints: a title row, a red header row, bordered
cells, widths that fit Chinese text, a frozen header, an autofilter, and A4 landscape fitted to
the page width with the title and header repeated on every printed page."""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Sequence
from copy import copy
from dataclasses import dataclass, field

from openpyxl.cell.cell import Cell
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.page import PageMargins
from openpyxl.worksheet.worksheet import Worksheet

HEADER_ROW = 2  # row 1 is the sheet's title
RATE_FORMAT = "0.0%"
COUNT_FORMAT = "#,##0"
DECIMAL_FORMAT = "#,##0.0"
_THIN = Side(style="thin", color="A6A6A6")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_HEADER_FONT = Font(bold=True, color="FFFFFF")
_HEADER_FILL = PatternFill("solid", fgColor="C8161D")
_TITLE_FONT = Font(bold=True, size=13, color="C8161D")
_LINE_HEIGHT = 15  # points per line of 11pt text
_MAX_WIDTH = 60


@dataclass
class Column:
    """A table column: its header, whether it holds figures (right-aligned, a number format
    per cell, see `Table`), and whether long text wraps within `max_width` (character widths)."""

    header: str
    numeric: bool = False
    wrap: bool = False
    max_width: int = 40


@dataclass
class Table:
    """A sheet's content: a title, columns, and rows of cell values; `formats` and `fills`
    give a cell its own number format or fill colour by (row index, column index)."""

    title: str
    columns: list[Column]
    rows: list[list[object]]
    formats: dict[tuple[int, int], str] = field(default_factory=dict)
    fills: dict[tuple[int, int], str] = field(default_factory=dict)
    autofilter: bool = True
    one_page: bool = False


def number_format(value_kind: str | None, value: object = None, unit: str | None = None) -> str:
    """The cell format of a KPI figure, as warehouse.present.format writes it on the cards: a
    percentage for rates, whole numbers for whole values (and counts), one decimal otherwise
    (a target on the way to a goal may fall between two whole counts); with `unit` the unit
    follows the number ("3,025个"), while the cell stays a number."""
    if value_kind == "rate":
        return RATE_FORMAT
    if isinstance(value, int | float) and not isinstance(value, bool):
        base = COUNT_FORMAT if float(value).is_integer() else DECIMAL_FORMAT
    else:
        base = COUNT_FORMAT if value_kind == "count" else DECIMAL_FORMAT
    return f'{base}"{unit}"' if unit and '"' not in unit else base


def text_width(text: str) -> int:
    """Display width in character cells: a Chinese character takes two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _shown_text(value: object, number_format: str | None) -> str:
    """Roughly what a spreadsheet shows for a cell, to size its column."""
    if value is None:
        return ""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return str(value)
    base, _, unit = (number_format or COUNT_FORMAT).partition('"')
    unit = unit.rstrip('"')
    if base == RATE_FORMAT:
        return f"{value * 100:.1f}%"
    if base == DECIMAL_FORMAT:
        return f"{value:,.1f}{unit}"
    return f"{value:,.0f}{unit}"


def write_table(ws: Worksheet, table: Table) -> None:
    """Write the title, header and rows; style, size, freeze, filter and set up printing."""
    count = max(len(table.columns), 1)
    widths = [text_width(column.header) for column in table.columns]
    texts: list[list[str]] = []
    styled: dict[tuple, Cell] = {}  # a body style -> the first cell given it
    for r, values in enumerate(table.rows):
        texts.append([])
        for c, (column, value) in enumerate(zip(table.columns, values, strict=True)):
            fmt = table.formats.get((r, c))
            cell = ws.cell(row=HEADER_ROW + 1 + r, column=c + 1, value=value)
            is_number = isinstance(value, int | float) and not isinstance(value, bool)
            style = (
                fmt if is_number else None,
                "right" if column.numeric or isinstance(value, int | float) else "left",
                column.wrap,
                table.fills.get((r, c)),
            )
            if style in styled:
                # openpyxl hashes every style object it is given: a big sheet spent most of
                # its time there. A cell styled like an earlier one takes that cell's style ids.
                cell._style = copy(styled[style]._style)
            else:
                _style_cell(cell, *style)
                styled[style] = cell
            shown = _shown_text(value, fmt)
            texts[r].append(shown)
            longest = max((text_width(part) for part in shown.split("\n")), default=0)
            widths[c] = max(widths[c], min(longest, column.max_width))
    widths = [min(width, _MAX_WIDTH) + 3 for width in widths]
    for index, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(index)].width = width
    # Wrapped text: each row gets its height, as not every client measures it on opening.
    for r, shown in enumerate(texts):
        lines = max(
            (_lines(text, widths[c]) for c, text in enumerate(shown) if table.columns[c].wrap),
            default=1,
        )
        if lines > 1:
            ws.row_dimensions[HEADER_ROW + 1 + r].height = lines * _LINE_HEIGHT
    for index, column in enumerate(table.columns, start=1):
        cell = ws.cell(row=HEADER_ROW, column=index, value=column.header)
        cell.font, cell.fill, cell.border = _HEADER_FONT, _HEADER_FILL, _BORDER
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    title = ws.cell(row=1, column=1, value=table.title)
    title.font = _TITLE_FONT
    title.alignment = Alignment(vertical="center", wrap_text=True)
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=count)
    # The title wraps within the table's width rather than running off the printed page.
    ws.row_dimensions[1].height = 22 * _lines(table.title, sum(widths) * 0.85)
    last = get_column_letter(count)
    ws.freeze_panes = f"A{HEADER_ROW + 1}"
    if table.autofilter and table.rows:
        ws.auto_filter.ref = f"A{HEADER_ROW}:{last}{HEADER_ROW + len(table.rows)}"
    print_setup(ws, table.one_page)


def _lines(text: str, width: float) -> int:
    """How many lines `text` takes in a column `width` characters wide."""
    usable = max(width - 2, 1)
    return sum(max(1, math.ceil(text_width(part) / usable)) for part in text.split("\n"))


def _style_cell(cell: Cell, fmt: str | None, horizontal: str, wrap: bool, fill: str | None) -> None:
    cell.border = _BORDER
    if fmt:
        cell.number_format = fmt
    cell.alignment = Alignment(horizontal=horizontal, vertical="top", wrap_text=wrap)
    if fill:
        _fill(cell, fill)


def _fill(cell: Cell, colour: str) -> None:
    """A coloured cell whose text stays readable: white on dark colours, black on light."""
    rgb = colour.lstrip("#").upper()
    red, green, blue = (int(rgb[i : i + 2], 16) for i in (0, 2, 4))
    light = 0.299 * red + 0.587 * green + 0.114 * blue > 160
    cell.fill = PatternFill("solid", fgColor=rgb)
    cell.font = Font(bold=True, color="000000" if light else "FFFFFF")


def print_setup(ws: Worksheet, one_page: bool = False) -> None:
    """A4 landscape, every column on the page's width (and with `one_page` every row on the
    page), the title and header on every page, the sheet's name and page number in the
    footer."""
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = ws.ORIENTATION_LANDSCAPE
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 1 if one_page else 0  # 0: as many pages down as rows need
    ws.print_title_rows = f"1:{HEADER_ROW}"
    ws.print_options.horizontalCentered = True
    ws.page_margins = PageMargins(left=0.4, right=0.4, top=0.6, bottom=0.6, header=0.3, footer=0.3)
    ws.oddFooter.center.text = "&A  第 &P 页,共 &N 页"


def cell_values(values: Sequence[object]) -> list[object]:
    """Cell values as plain Python: NaN and pandas' missing markers as empty cells, numpy
    numbers as int or float."""
    return [None if _is_missing(v) else (v.item() if hasattr(v, "item") else v) for v in values]


def _is_missing(value: object) -> bool:
    try:
        return value is None or bool(value != value)
    except (TypeError, ValueError):  # pandas.NA has no truth value
        return True
