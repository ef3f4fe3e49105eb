"""One read layer: a scope's figure is the same on a dashboard card, in the brief, in kpis.xlsx
and from `xiaoge kpi --json`, hidden figures ("<5") included, and all of them are read
through warehouse.kpis, the one place the headline-row rule is written."""

from __future__ import annotations

import html
import inspect
import re
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

import warehouse.kpis
from tests.conftest import kpi_json, run_cli
from warehouse.config import REPO_ROOT, SEEDS_DIR, Home
from warehouse.present.format import value as formatted
from warehouse.privacy import SUPPRESSED

APP = REPO_ROOT / "dashboards" / "app.py"
CATALOGUE = pd.read_csv(SEEDS_DIR / "kpi_catalogue.csv").set_index("kpi_id")
MONTH = "2025-06"
# A count, two rates and a person count that district and group scopes often hide.
ALWAYS = ["party_orgs", "insurance_rate_medical", "tenure_over_1y_share", "workforce_active"]


def cards(home: Path, theme: str, district: str | None, group: str | None, monkeypatch) -> dict:
    """The KPI cards of a theme page for a scope, label -> text, as a reader sees them."""
    monkeypatch.setenv("XIAOGE_HOME", str(home))
    monkeypatch.setenv("XIAOGE_DEMO_ROLE", "analyst")
    at = AppTest.from_file(str(APP), default_timeout=60).run()
    at.switch_page(f"app_pages/{theme}.py").run()
    at.selectbox(key="month").set_value(MONTH).run()
    if district:
        at.selectbox(key="district_code").set_value(district).run()
    if group:
        at.selectbox(key="group_code").set_value(group).run()
    assert not at.exception, at.exception
    return {m.label: m.value for m in at.metric}


def brief_figures(page: str) -> dict[str, str]:
    """The brief's KPI table: KPI name -> this month's figure (the cell after the name, whose
    footnote mark is left out)."""
    cells = re.findall(
        r"<td>([^<]+)<span class=note>[^<]*</span></td><td class='n c'>([^<]+)</td>", page
    )
    return {html.unescape(name): html.unescape(text) for name, text in cells}


def sheet_records(sheet) -> list[dict]:
    """A kpis.xlsx sheet's rows by header: row 1 is the sheet's title, row 2 its header."""
    rows = sheet.iter_rows(min_row=2, values_only=True)
    headers = next(rows)
    return [dict(zip(headers, row, strict=True)) for row in rows]


def xlsx_figure(book: openpyxl.Workbook, kpi_id: str, area: str, group: str | None) -> object:
    """The kpis.xlsx cell of a KPI's row for an area and group (all platforms), on 明细, the
    sheet with the ids."""
    for record in sheet_records(book["明细"]):
        if (
            record["指标代码"] == kpi_id
            and record["区域"] == area
            and record["群体"] == group
            and record["平台"] is None
        ):
            return record["数值"]
    raise AssertionError(f"no kpis.xlsx row for {kpi_id} {area} {group}")


def overview_figure(book: openpyxl.Workbook, name: str) -> object:
    """The 本月数值 of a KPI on the 总览 sheet, the pack's own scope."""
    return next(r["本月数值"] for r in sheet_records(book["总览"]) if r["指标"] == name)


def chosen(values: dict) -> list[str]:
    """The KPIs compared: ALWAYS, and every KPI hidden in the scope (at least one)."""
    hidden = [kpi_id for kpi_id, item in values["kpis"].items() if item["suppressed"]]
    assert hidden, f"the scope has no hidden figure to compare: {values['kpis']}"
    return list(dict.fromkeys([*ALWAYS, *hidden]))


def expected(item: dict, kpi_id: str) -> str:
    kpi = CATALOGUE.loc[kpi_id]
    return formatted(item["value"], kpi["value_kind"], kpi["unit"], suppressed=item["suppressed"])


def assert_same_everywhere(
    home: Path, values: dict, kpi_ids: list[str], book, area: str, brief, monkeypatch
) -> None:
    district, group = values["district_code"], values.get("group_code")
    themes = CATALOGUE.loc[kpi_ids, "theme"].unique()
    shown = {}
    for theme in themes:
        shown |= cards(home, theme, district, group, monkeypatch)
    for kpi_id in kpi_ids:
        item, name = values["kpis"][kpi_id], CATALOGUE.loc[kpi_id, "name_zh"]
        text = expected(item, kpi_id)
        assert shown[name] == text, (kpi_id, "card")
        if brief is not None:
            assert brief[name] == text, (kpi_id, "brief")
        cells = {"明细": xlsx_figure(book, kpi_id, area, item["group"])}
        if group is None:  # the pack's scope: its 总览 shows the same figure
            cells["总览"] = overview_figure(book, name)
        for sheet, cell in cells.items():
            if item["suppressed"]:
                assert cell == SUPPRESSED == text, (kpi_id, sheet)
            else:
                assert cell == pytest.approx(item["value"]), (kpi_id, sheet)


def test_a_district_scope_reads_the_same_everywhere(copy_of_demo_home: Path, monkeypatch):
    """西湖区: its pack (brief and kpis.xlsx), its cards and `xiaoge kpi --district`; and the
    district's express couriers, whose small counts are hidden, in the same pack."""
    home = copy_of_demo_home
    run_cli(home, "export", "--month", MONTH, "--district", "330106")
    pack = home / "exports" / MONTH / "district-330106" / "v1"
    book = openpyxl.load_workbook(pack / "kpis.xlsx")
    brief = brief_figures((pack / "brief.html").read_text(encoding="utf-8"))

    values = kpi_json(home, "--month", MONTH, "--district", "330106")
    kpi_ids = [*ALWAYS, *(k for k, item in values["kpis"].items() if item["suppressed"])]
    assert_same_everywhere(home, values, kpi_ids, book, "西湖区", brief, monkeypatch)

    # The brief is the district's all-groups page; the group's figures are in kpis.xlsx.
    values = kpi_json(home, "--month", MONTH, "--district", "330106", "--group", "express")
    assert_same_everywhere(home, values, chosen(values), book, "西湖区", None, monkeypatch)


def test_a_group_scope_reads_the_same_everywhere(demo_home: Path, tmp_path: Path, monkeypatch):
    """Express couriers city-wide: the cards with the group filter, `xiaoge kpi --group`, the
    city pack's kpis.xlsx, and the brief written for the group's headline rows."""
    from warehouse.export.brief import write_brief

    values = kpi_json(demo_home, "--month", MONTH, "--group", "express")
    kpi_ids = chosen(values)
    book = openpyxl.load_workbook(demo_home / "exports" / MONTH / "v1" / "kpis.xlsx")
    scope = warehouse.kpis.Scope(MONTH, None, "express")
    headline = warehouse.kpis.headline(warehouse.kpis.reader(Home(demo_home)), scope)
    meta = {"build_id": values["build_id"], "version": 1, "audit": {"passed": True, "messages": []}}
    write_brief(tmp_path, MONTH, None, headline, [], meta)
    brief = brief_figures((tmp_path / "brief.html").read_text(encoding="utf-8"))
    assert_same_everywhere(demo_home, values, kpi_ids, book, "全市", brief, monkeypatch)


def test_every_reader_reads_through_warehouse_kpis():
    """The dashboards, the pack and `xiaoge kpi` call warehouse.kpis ..."""
    import dashboards.data
    import warehouse.cli.read
    import warehouse.export.brief
    import warehouse.export.pack

    assert dashboards.data.kpis is warehouse.kpis
    assert warehouse.export.pack.headline is warehouse.kpis.headline
    assert warehouse.export.pack.month_rows is warehouse.kpis.month_rows
    assert warehouse.export.brief.series is warehouse.kpis.series
    assert "from warehouse.kpis import kpi_values" in inspect.getsource(warehouse.cli.read.kpi)


def test_the_headline_rule_is_written_once():
    """... and no other module picks KPI rows itself (the rule is a row_number over
    fct_kpi_monthly)."""
    pickers = [
        path.relative_to(REPO_ROOT).as_posix()
        for package in ("warehouse", "dashboards")
        for path in (REPO_ROOT / package).rglob("*.py")
        if "fct_kpi_monthly" in (text := path.read_text(encoding="utf-8"))
        and ("row_number" in text or "qualify" in text)
    ]
    assert pickers == ["warehouse/kpis.py"]
    themes = pd.read_csv(SEEDS_DIR / "kpi_themes.csv")
    copies = [  # theme names come from the seed: no module maps a theme to its name itself
        f"{path}: {theme}"
        for package in ("warehouse", "dashboards")
        for path in (REPO_ROOT / package).rglob("*.py")
        for theme, name in zip(themes["theme"], themes["name_zh"], strict=True)
        if re.search(rf'"{theme}"\s*:\s*"{name}"', path.read_text(encoding="utf-8"))
    ]
    assert not copies
