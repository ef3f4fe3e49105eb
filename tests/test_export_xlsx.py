"""kpis.xlsx as a leader opens it in WPS or Excel, checked in a real spreadsheet client.

LibreOffice Calc (headless, Debian's libreoffice-calc-nogui from `make system-deps`) prints
the demo pack's workbook to PDF, as a leader's print of it would come out: `pdfinfo` gives
the pages and their size, `pdftotext` what is printed on them. Each conversion uses its own
LibreOffice profile (-env:UserInstallation) so parallel test runs do not share one.

To print the 总览 sheet alone, the test saves a copy of the workbook with every other sheet
removed (openpyxl keeps the sheet's print setup) and converts that copy: LibreOffice prints
every sheet of a workbook it converts. openpyxl then reads the number formats, filters,
frozen headers and print setup of the pack's own workbook.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from tests.conftest import kpi_json
from warehouse.config import SEEDS_DIR, Home
from warehouse.export.xlsx import code_names, write_xlsx
from warehouse.kpis import Scope, headline, month_rows, reader, theme_names
from warehouse.present.format import percent
from warehouse.privacy import shown

MONTH = "2025-06"
CATALOGUE = pd.read_csv(SEEDS_DIR / "kpi_catalogue.csv").set_index("kpi_id")
THEMES = pd.read_csv(SEEDS_DIR / "kpi_themes.csv")
OVERVIEW_HEADERS = [
    "指标",
    "本月数值",
    "较上月",
    "目标",
    "年末目标",
    "目标期限",
    "状态",
    "数据截至",
]
A4_LANDSCAPE = (841.89, 595.28)  # points


@pytest.fixture(scope="module")
def workbook(demo_home: Path) -> Path:
    """The workbook of the pack `xiaoge demo` exported for the last month."""
    return demo_home / "exports" / MONTH / "v1" / "kpis.xlsx"


def to_pdf(workbook: Path, folder: Path) -> Path:
    """The workbook printed to PDF by LibreOffice headless, with a private profile."""
    soffice = shutil.which("soffice")
    assert soffice, "LibreOffice is missing: run `make system-deps` (libreoffice-calc-nogui)"
    folder.mkdir(parents=True, exist_ok=True)
    profile = (folder / "lo-profile").resolve()
    subprocess.run(
        [
            soffice,
            f"-env:UserInstallation={profile.as_uri()}",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(folder),
            str(workbook),
        ],
        check=True,
        capture_output=True,
        timeout=600,
    )
    pdf = folder / f"{workbook.stem}.pdf"
    assert pdf.exists(), f"LibreOffice wrote no {pdf.name}"
    return pdf


def page_sizes(pdf: Path) -> list[tuple[float, float]]:
    """Each page's width and height in points."""
    info = subprocess.run(
        ["pdfinfo", "-f", "1", "-l", "100000", str(pdf)],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    sizes = re.findall(r"Page\s+\d+ size:\s+([\d.]+) x ([\d.]+) pts", info)
    pages = int(re.search(r"^Pages:\s+(\d+)", info, re.MULTILINE).group(1))
    assert len(sizes) == pages
    return [(float(w), float(h)) for w, h in sizes]


def pdf_text(pdf: Path) -> str:
    return subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], check=True, capture_output=True, text=True
    ).stdout


def is_a4_landscape(size: tuple[float, float]) -> bool:
    return all(abs(got - want) < 1.5 for got, want in zip(size, A4_LANDSCAPE, strict=True))


def overview_only(workbook: Path, folder: Path) -> Path:
    """A copy of the workbook with the 总览 sheet alone."""
    book = openpyxl.load_workbook(workbook)
    for name in book.sheetnames:
        if name != "总览":
            book.remove(book[name])
    folder.mkdir(parents=True, exist_ok=True)
    copy = folder / "总览.xlsx"
    book.save(copy)
    return copy


def test_the_overview_prints_on_one_a4_landscape_page_with_every_column(
    workbook: Path, demo_home: Path, tmp_path: Path
):
    pdf = to_pdf(overview_only(workbook, tmp_path / "overview"), tmp_path / "overview")
    sizes = page_sizes(pdf)
    assert len(sizes) == 1, f"总览 printed on {len(sizes)} pages"
    assert is_a4_landscape(sizes[0]), sizes[0]
    text = pdf_text(pdf)
    flat = re.sub(r"\s+", "", text)
    for header in OVERVIEW_HEADERS:
        assert header in flat, header
    for name in CATALOGUE["name_zh"]:  # every KPI's row is on the page
        assert name in flat, name
    # Rates print as percentages, with the figure `xiaoge kpi` gives.
    kpis = kpi_json(demo_home, "--month", MONTH)["kpis"]
    rates = [k for k in CATALOGUE.index if CATALOGUE.at[k, "value_kind"] == "rate"]
    shown = [percent(kpis[k]["value"]) for k in rates if not kpis[k]["suppressed"]]
    assert shown
    for figure in shown:
        assert figure in flat, figure
    # Counts print whole, with their unit after the number, as a card writes them.
    counts = [k for k in CATALOGUE.index if CATALOGUE.at[k, "value_kind"] == "count"]
    for kpi_id in counts:
        if not kpis[kpi_id]["suppressed"]:
            figure = f"{kpis[kpi_id]['value']:,.0f}{CATALOGUE.at[kpi_id, 'unit']}"
            assert figure in flat, figure
    assert not re.search(r"\b0\.\d{3,}\b", text), "a rate printed as a raw share"
    # Each KPI's status word is printed on its row (a KPI without a target has none).
    lines = {line.strip().split()[0]: line for line in text.splitlines() if line.strip()}
    statuses = {CATALOGUE.at[k, "name_zh"]: item.get("status_name_zh") for k, item in kpis.items()}
    assert any(statuses.values()), "the demo's month has no status to print"
    for name, word in statuses.items():
        row = lines[name]
        for other in ("绿色", "黄色", "红色"):
            assert (other in row) == (other == word), (name, row)


def test_the_whole_workbook_prints_on_a4_landscape_pages(workbook: Path, tmp_path: Path, capsys):
    """Every sheet prints A4 landscape with its columns on the page's width; the page count
    is printed for the record (the long data dump used to print on 61 pages, its columns
    split across pages)."""
    pdf = to_pdf(workbook, tmp_path / "whole")
    sizes = page_sizes(pdf)
    assert all(is_a4_landscape(size) for size in sizes), set(sizes)
    text = pdf_text(pdf)
    pages = text.split("\f")
    # Each printed page repeats its sheet's header row: no page is a stray slice of columns.
    book = openpyxl.load_workbook(workbook, read_only=True)
    headers = {
        name: [c for c in next(book[name].iter_rows(min_row=2, max_row=2, values_only=True)) if c]
        for name in book.sheetnames
    }
    for number, page in enumerate(pages[: len(sizes)], start=1):
        flat = re.sub(r"\s+", "", page)
        assert any(all(str(h) in flat for h in cols) for cols in headers.values()), (
            f"page {number} has no full header row"
        )
    with capsys.disabled():
        print(f"\nkpis.xlsx printed by LibreOffice: {len(sizes)} A4 landscape pages")


def test_number_formats_filters_frozen_headers_and_print_setup(workbook: Path):
    book = openpyxl.load_workbook(workbook)
    theme_sheets = [name for name in THEMES["name_zh"] if name in book.sheetnames]
    assert book.sheetnames[0] == "总览"
    assert book.sheetnames[-3:] == ["明细", "说明", "元数据"]
    assert book.sheetnames[1:-3] == theme_sheets and len(theme_sheets) == len(THEMES)
    for ws in book.worksheets:
        assert ws.page_setup.orientation == "landscape", ws.title
        assert int(ws.page_setup.paperSize) == 9, ws.title  # A4
        assert ws.sheet_properties.pageSetUpPr.fitToPage, ws.title
        assert int(ws.page_setup.fitToWidth) == 1, ws.title
        assert ws.print_title_rows.replace("$", "") == "1:2", (
            ws.title
        )  # the title and header on every page
        assert ws.freeze_panes == "A3", ws.title
    for name in ["总览", *theme_sheets, "明细", "说明"]:
        assert book[name].auto_filter.ref, name
    assert int(book["总览"].page_setup.fitToHeight) == 1

    rate_names = set(CATALOGUE.loc[CATALOGUE["value_kind"] == "rate", "name_zh"])
    overview = book["总览"]
    assert [c.value for c in overview[2]] == OVERVIEW_HEADERS
    formats = {row[0].value: row[1].number_format for row in overview.iter_rows(min_row=3)}
    assert set(formats) == set(CATALOGUE["name_zh"])
    for name, fmt in formats.items():
        assert (fmt == "0.0%") == (name in rate_names), (name, fmt)
    for name in theme_sheets:
        ws = book[name]
        headers = [c.value for c in ws[2]]
        assert headers[0] == "指标" and "指标代码" not in headers  # ids only on 明细
        column = headers.index("数值")
        for row in ws.iter_rows(min_row=3):
            if isinstance(row[column].value, float | int):
                assert (row[column].number_format == "0.0%") == (row[0].value in rate_names), (
                    name,
                    row[0].value,
                    row[column].number_format,
                )
        # widths fit the Chinese KPI names (two character cells each)
        longest = max(len(str(row[0].value)) for row in ws.iter_rows(min_row=3))
        assert ws.column_dimensions["A"].width >= 2 * longest, name


# The status columns of the headline frame (see the status work), as values for this test.
STATUS = {
    "green": ("绿色", "#2E7D32"),
    "yellow": ("黄色", "#F9A825"),
    "red": ("红色", "#C62828"),
    None: (None, None),
}


def test_status_cells_and_provenance_come_from_the_headline_frame(demo_home: Path, tmp_path):
    """The 总览 shows each KPI's status word on its colour and 说明 its sources, 数据截至 and
    audit, as the headline frame gives them; a KPI with no status has an empty cell, and so
    has every KPI when the frame has no status columns at all."""
    run = reader(Home(demo_home))
    frame = headline(run, Scope(MONTH))
    rows = shown(month_rows(run, MONTH, None))
    meta = {"month": MONTH, "version": 1, "build_id": "20250705T010203Z-abcd",
            "audit": {"passed": True, "warnings": 0}}  # fmt: skip
    statuses = [list(STATUS)[i % len(STATUS)] for i in range(len(frame))]
    given = frame.assign(
        status=statuses,
        status_name_zh=[STATUS[s][0] for s in statuses],
        status_colour=[STATUS[s][1] for s in statuses],
        goal=frame["value"] * 1.1,
        goal_month="2025-12",
        sources_zh="平台企业(数据截至2025年6月)、社保系统(数据截至2025年5月)",
        data_as_of="2025-05",
        audit_zh="数据质量检查:1 项提示",
    )
    write_xlsx(tmp_path / "given.xlsx", rows, given, meta, theme_names(run), code_names(run))
    book = openpyxl.load_workbook(tmp_path / "given.xlsx")
    overview = list(book["总览"].iter_rows(min_row=3))
    assert len(overview) == len(frame)
    column = {name: i for i, name in enumerate(OVERVIEW_HEADERS)}
    for row, status, kpi in zip(overview, statuses, given.itertuples(), strict=True):
        cell = row[column["状态"]]
        word, colour = STATUS[status]
        assert cell.value == word, kpi.kpi_id
        if colour:
            assert cell.fill.fgColor.rgb.endswith(colour[1:]), kpi.kpi_id
            assert cell.font.color.rgb.endswith("FFFFFF" if status != "yellow" else "000000")
        else:
            assert cell.fill.fill_type is None, kpi.kpi_id
        assert row[column["数据截至"]].value == "2025年5月"
        if pd.notna(kpi.goal):
            assert row[column["年末目标"]].value == pytest.approx(kpi.goal), kpi.kpi_id
            assert row[column["目标期限"]].value == "2025年12月", kpi.kpi_id
    notes = {row[0]: row for row in book["说明"].iter_rows(min_row=3, values_only=True)}
    headers = [c.value for c in book["说明"][2]]
    for name in frame["name_zh"]:
        record = dict(zip(headers, notes[name], strict=True))
        assert record["来源(数据截至)"] == given["sources_zh"].iloc[0]
        assert (record["数据截至"], record["审计结果"]) == ("2025年5月", "数据质量检查:1 项提示")

    missing = [c for c in given.columns if c.startswith("status") or c == "data_as_of"]
    write_xlsx(tmp_path / "bare.xlsx", rows, given.drop(columns=missing), meta, theme_names(run))
    bare = openpyxl.load_workbook(tmp_path / "bare.xlsx")["总览"]
    for row in bare.iter_rows(min_row=3):
        assert row[column["状态"]].value is None and row[column["状态"]].fill.fill_type is None
        assert row[column["数据截至"]].value is None
