"""The overview page through Streamlit's AppTest: empty state, figures, filters."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

APP = str(Path(__file__).resolve().parents[1] / "dashboards" / "app.py")


@pytest.fixture
def app(monkeypatch: pytest.MonkeyPatch):
    def start(home: Path) -> AppTest:
        monkeypatch.setenv("XIAOGE_HOME", str(home))
        return AppTest.from_file(APP, default_timeout=30).run()

    return start


def metric(at: AppTest, label: str) -> str:
    return next(m.value for m in at.metric if m.label == label)


def target_lines(chart) -> int:
    """Horizontal lines drawn on a Plotly chart (a trend's target line is the only one)."""
    return len(json.loads(chart.proto.spec).get("layout", {}).get("shapes", []))


def test_empty_home_shows_what_to_run(app, fresh_home: Path):
    at = app(fresh_home)
    assert not at.exception
    assert any("xiaoge demo" in info.value for info in at.info)
    assert len(at.metric) == 0


def test_overview_shows_50_organisations_for_the_latest_month(app, demo_home: Path):
    at = app(demo_home)
    assert not at.exception
    assert metric(at, "党组织数") == "50个"


def test_month_filter_changes_the_figures(app, demo_home: Path):
    at = app(demo_home)
    at.selectbox(key="month").set_value("2023-01").run()
    assert not at.exception
    assert metric(at, "党组织数") == "13个"


def test_district_filter_drills_down(app, demo_home: Path):
    at = app(demo_home)
    city = int(metric(at, "党组织数").removesuffix("个"))
    values = {}
    options = at.selectbox(key="district_code").options
    for index in range(1, len(options)):
        at.selectbox(key="district_code").select_index(index).run()
        assert not at.exception
        assert at.caption[0].value.startswith(options[index])
        values[options[index]] = int(metric(at, "党组织数").removesuffix("个"))
    assert len(values) == 13
    assert sum(values.values()) == city
    assert values["上城区"] > values["淳安县"], (
        "the urban core has more organisations than a mountain county"
    )


def test_english_switch(app, demo_home: Path):
    at = app(demo_home)
    at.radio(key="lang").set_value("en").run()
    assert not at.exception
    assert metric(at, "Party organisations") == "50"


def test_targets_judge_city_wide_figures_only(app, demo_home: Path):
    """The catalogue's targets are the city's: 50 organisations, not 50 in each district."""
    at = app(demo_home)
    at.selectbox(key="month").set_value("2023-01").run()  # 13 organisations of 50
    assert any("未达目标 50个" in w.value for w in at.warning)
    assert "目标" in next(m.help for m in at.metric if m.label == "党组织数")
    assert all(target_lines(chart) == 1 for chart in at.get("plotly_chart"))
    city_charts = len(at.get("plotly_chart"))
    at.selectbox(key="district_code").set_value("330106").run()  # 西湖区
    assert not at.exception
    assert at.caption[0].value.startswith("西湖区")
    assert not [w.value for w in at.warning if "目标" in w.value]
    assert not [m.label for m in at.metric if "目标" in (m.help or "")]
    assert len(at.get("plotly_chart")) == city_charts, "the goals keep their trend charts"
    assert all(target_lines(chart) == 0 for chart in at.get("plotly_chart"))
