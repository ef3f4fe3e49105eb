"""Every dashboard page through Streamlit's AppTest: empty state, a filter change, a drill-down."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from tests.conftest import kpi_json
from warehouse.config import SEEDS_DIR
from warehouse.present.format import value as formatted
from warehouse.privacy import SUPPRESSED

APP = Path(__file__).resolve().parents[1] / "dashboards" / "app.py"
THEMES = pd.read_csv(SEEDS_DIR / "kpi_themes.csv")["theme"].tolist()
CATALOGUE = pd.read_csv(SEEDS_DIR / "kpi_catalogue.csv")
OPERATION_PAGES = ["reports", "quality", "dictionary", "bigscreen"]
ALL_PAGES = ["overview", *THEMES, *OPERATION_PAGES]


@pytest.fixture
def open_page(monkeypatch: pytest.MonkeyPatch):
    def start(home: Path, page: str) -> AppTest:
        monkeypatch.setenv("XIAOGE_HOME", str(home))
        monkeypatch.setenv("XIAOGE_DEMO_ROLE", "analyst")  # local mode with the quality page
        at = AppTest.from_file(str(APP), default_timeout=60).run()
        if page != "overview":
            at.switch_page(f"app_pages/{page}.py").run()
        assert not at.exception, at.exception
        return at

    return start


def metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def expected_card(kpi_id: str, values: dict) -> tuple[str, str]:
    """The label and text a KPI card must show for a month's `xiaoge kpi --json` output."""
    kpi = CATALOGUE.set_index("kpi_id").loc[kpi_id]
    item = values["kpis"][kpi_id]
    if item["suppressed"]:  # hidden by the disclosure-control gate
        return kpi["name_zh"], SUPPRESSED
    return kpi["name_zh"], formatted(item["value"], kpi["value_kind"], kpi["unit"])


@pytest.mark.parametrize("page", ALL_PAGES)
def test_every_page_has_an_empty_state(open_page, fresh_home: Path, page: str):
    at = open_page(fresh_home, page)
    assert any("xiaoge demo" in info.value for info in at.info)
    assert len(at.metric) == 0


@pytest.mark.parametrize("theme", THEMES)
def test_theme_page_cards_show_the_published_values(open_page, demo_home: Path, theme: str):
    at = open_page(demo_home, theme)
    shown = metrics(at)
    values = kpi_json(demo_home, "--month", "2025-06")
    theme_kpis = CATALOGUE[CATALOGUE["theme"] == theme]["kpi_id"]
    assert len(theme_kpis) > 0
    for kpi_id in theme_kpis:
        label, text = expected_card(kpi_id, values)
        assert shown[label] == text, kpi_id


@pytest.mark.parametrize("theme", THEMES)
def test_theme_page_follows_the_month_filter(open_page, demo_home: Path, theme: str):
    at = open_page(demo_home, theme)
    at.selectbox(key="month").set_value("2024-06").run()
    assert not at.exception
    values = kpi_json(demo_home, "--month", "2024-06")
    shown = metrics(at)
    for kpi_id in CATALOGUE[CATALOGUE["theme"] == theme]["kpi_id"]:
        if kpi_id in values["kpis"]:
            label, text = expected_card(kpi_id, values)
            assert shown[label] == text, kpi_id
    assert at.caption[0].value.endswith("2024-06")


@pytest.mark.parametrize("theme", THEMES)
def test_theme_page_drills_down_to_a_district(open_page, demo_home: Path, theme: str):
    at = open_page(demo_home, theme)
    at.selectbox(key="district_code").set_value("330108").run()  # 滨江区
    assert not at.exception
    assert at.caption[0].value.startswith("滨江区")
    values = kpi_json(demo_home, "--month", "2025-06", "--district", "330108")
    shown = metrics(at)
    for kpi_id in CATALOGUE[CATALOGUE["theme"] == theme]["kpi_id"]:
        if kpi_id in values["kpis"]:
            label, text = expected_card(kpi_id, values)
            assert shown[label] == text, kpi_id


def test_district_choice_is_kept_across_pages(open_page, demo_home: Path):
    at = open_page(demo_home, "party")
    at.selectbox(key="district_code").set_value("330109").run()
    at.switch_page("app_pages/service.py").run()
    assert at.selectbox(key="district_code").value == "330109"
    assert at.caption[0].value.startswith("萧山区")


def test_overview_shows_alerts_and_the_headline_trend(open_page, demo_home: Path):
    at = open_page(demo_home, "overview")
    assert metrics(at)["党组织数"] == "50个"
    assert any("预警" in header.value for header in at.subheader)
    at.selectbox(key="month").set_value("2023-01").run()
    assert metrics(at)["党组织数"] == "13个"


def test_quality_page_shows_audit_sources_and_quarantine(open_page, demo_home: Path):
    at = open_page(demo_home, "quality")
    build_id = kpi_json(demo_home)["build_id"]
    assert metrics(at)["发布版本"] == build_id
    assert any("审计通过" in s.value for s in at.success)
    sources, reasons = at.dataframe[0].value, at.dataframe[1].value
    assert "party_orgs" in sources["table"].tolist()
    assert {"system", "table_name", "reason", "rows"} <= set(reasons.columns)
    at.radio(key="lang").set_value("en").run()
    assert not at.exception
    assert "Published build" in metrics(at)


def test_dictionary_lists_every_catalogue_kpi(open_page, demo_home: Path):
    at = open_page(demo_home, "dictionary")
    labels = " ".join(e.label for e in at.expander)
    for kpi_id in CATALOGUE["kpi_id"]:
        assert f"`{kpi_id}`" in labels
    terms = at.table[0].value  # the terms the definitions name in 【】, under the catalogue
    assert "在岗人员" in terms["名称"].tolist()
    assert any(text.startswith("某月在任一平台") for text in terms["定义"])
    at.radio(key="lang").set_value("en").run()
    assert "Party organisations" in " ".join(e.label for e in at.expander)
    assert "active person" in at.table[0].value["Term"].tolist()


def test_reports_page_offers_the_exported_pack(open_page, demo_home: Path):
    at = open_page(demo_home, "reports")
    assert any("2025-06" in e.label for e in at.expander)
    assert {"kpis.xlsx", "brief.pdf", "manifest.json"} <= {
        b.label for b in at.get("download_button")
    }


def test_bigscreen_shows_the_first_theme(open_page, demo_home: Path):
    at = open_page(demo_home, "bigscreen")
    assert at.title[0].value.startswith("组织覆盖")
    assert metrics(at)["党组织数"] == "50个"


def test_workforce_page_tenure_distribution_agrees_with_the_tenure_kpi(open_page, demo_home: Path):
    from dashboards import data

    at = open_page(demo_home, "workforce")
    assert len(at.get("plotly_chart")) >= 4, (
        "trend, breakdown, tenure distribution, retention curves"
    )
    tenure = data.tenure_distribution(data.Scope("2025-06"))
    share = kpi_json(demo_home, "--month", "2025-06")["kpis"]["tenure_over_1y_share"]
    assert tenure["workers"].sum() == share["denominator"]
    assert tenure.loc[tenure["tenure_years"] != "不足1年", "workers"].sum() == share["numerator"]
    curves = data.cohort_retention(data.Scope("2025-06"))
    assert (curves.loc[curves["months_in"] == 0, "retention"].dropna() == 1).all()
    assert curves["retention"].dropna().between(0, 1).all()
    # a point appears only once all of it has been reported
    later = data.cohort_retention(data.Scope("2024-06"))
    assert 0 < len(later) < len(curves)


@pytest.mark.parametrize("page", ["overview", *OPERATION_PAGES])
def test_other_pages_follow_the_filters_and_the_drill_down(open_page, demo_home: Path, page: str):
    at = open_page(demo_home, page)
    at.selectbox(key="month").set_value("2024-06").run()
    assert not at.exception
    at.selectbox(key="district_code").set_value("330108").run()  # 滨江区
    assert not at.exception
    assert at.selectbox(key="district_code").value == "330108"
    if page == "overview":
        values = kpi_json(demo_home, "--month", "2024-06", "--district", "330108")
        label, text = expected_card("party_orgs", values)
        assert metrics(at)[label] == text
    if page == "bigscreen":  # each rerun rotates to the next theme, always for the chosen month
        assert at.title[0].value.endswith("· 2024-06")
