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


def card(at: AppTest, name: str):
    """The KPI card of that name."""
    return next(m for m in at.metric if m.label == name)


def badges(at: AppTest) -> list[str]:
    """The status badges under the cards, in page order."""
    return [m.value for m in at.markdown if "-badge[" in m.value]


def metric(at: AppTest, name: str) -> str:
    return card(at, name).value


def target_lines(chart) -> int:
    """Target lines on a Plotly chart: the dashed trajectory of a trend."""
    spec = json.loads(chart.proto.spec)
    dashed = [d for d in spec.get("data", []) if d.get("line", {}).get("dash") == "dash"]
    return len(dashed) + len(spec.get("layout", {}).get("shapes", []))


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


def test_cards_and_alerts_carry_the_status_of_each_areas_own_targets(app, demo_home: Path):
    """City figures against the city's targets, a district's against its own only."""
    at = app(demo_home)
    assert not at.exception
    stations = card(at, "服务驿站数")
    assert "三色状态: 绿色(达到进度)" in stations.help
    assert "本月目标(进度): 2,952个" in stations.help
    assert "目标: 3,025个(2025年12月前)" in stations.help
    assert "目标" not in card(at, "社区食堂就餐人次").help  # no target, no status
    shown = badges(at)
    assert len(shown) == 19  # one under each card with a target
    assert shown.count(":green-badge[绿色·达到进度]") == 14
    assert shown.count(":yellow-badge[黄色·略落后于进度]") == 4
    assert shown.count(":red-badge[红色·明显落后或反向变化]") == 1
    alerts = [w.value for w in at.warning]
    red = [i for i, a in enumerate(alerts) if ":红色(" in a]
    yellow = [i for i, a in enumerate(alerts) if ":黄色(" in a]
    assert len(red) == 1 and len(yellow) == 4 and max(red) < min(yellow)  # red first
    assert any(a.startswith("养老保险参保率(一线骑手) 为 16.0%,本月目标 19.5%") for a in alerts)
    trends = [c for c in at.get("plotly_chart") if c.key.startswith("trend-")]
    assert trends and all(target_lines(c) == 1 for c in trends)  # the trajectory

    at.selectbox(key="district_code").set_value("330106").run()  # 西湖区
    assert not at.exception
    assert at.caption[0].value.startswith("西湖区")
    assert "目标" not in card(at, "党组织数").help  # the city's target is not 西湖区's
    assert "三色状态: 绿色(达到进度)" in card(at, "服务驿站数").help
    assert len(badges(at)) == 4  # 西湖区's own targets: stations, canteens, scenes, insurance
    assert "本月目标(进度): 351个" in card(at, "服务驿站数").help
    trends = [c for c in at.get("plotly_chart") if c.key.startswith("trend-")]
    assert trends and all(target_lines(c) == 1 for c in trends)  # 西湖区's own trajectories


def test_a_zero_change_reads_flat_without_an_arrow(app, demo_home: Path):
    at = app(demo_home)
    meetings = card(at, "圆桌议事会次数")  # 23 in May and in June
    assert meetings.proto.delta == "持平 较上月"
    assert meetings.proto.direction == meetings.proto.MetricDirection.Value("NONE")
    assert meetings.proto.color == meetings.proto.MetricColor.Value("GRAY")
    assert card(at, "党组织数").proto.direction == meetings.proto.MetricDirection.Value("UP")
