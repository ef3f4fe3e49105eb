"""Chart builders: pure functions from a frame to a Plotly figure, Chinese titles, % for rates."""

from __future__ import annotations

import math

import pandas as pd

from warehouse.present import charts

SERIES = pd.DataFrame({"month": ["2025-04", "2025-05", "2025-06"], "value": [0.1, None, 0.12]})


def test_a_rate_trend_has_percent_ticks_and_its_chinese_title():
    figure = charts.trend_line(SERIES, "投保率趋势", "投保率", "rate", target=0.2)
    assert figure.layout.title.text == "投保率趋势"
    assert figure.layout.yaxis.tickformat == ".0%"
    assert "%{y:.1%}" in figure.data[0].hovertemplate
    assert list(figure.data[1].text) == ["10.0%", "12.0%"]  # first and last labelled


def test_a_count_trend_has_plain_ticks():
    counts = SERIES.assign(value=[50, 52, 55])
    figure = charts.trend_line(counts, "党组织数趋势", "党组织数")
    assert figure.layout.yaxis.tickformat is None
    assert list(figure.data[1].text) == ["50", "55"]


def test_a_hidden_value_is_a_gap_not_a_zero_nor_a_label():
    figure = charts.trend_line(SERIES, "投保率趋势", "投保率", "rate")
    assert math.isnan(figure.data[0].y[1])
    hidden_last = SERIES.assign(value=[0.1, 0.11, None])
    labels = list(charts.trend_line(hidden_last, "投保率趋势", "投保率", "rate").data[1].text)
    assert labels == ["10.0%", "11.0%"]


def test_bars_by_district_and_category():
    frame = pd.DataFrame(
        {
            "district_code": ["330106", "330108"],
            "district_name": ["西湖区", "滨江区"],
            "value": [0.3, None],
        }
    )
    bars = charts.district_bars(frame, "各区县投保率", "district_name", "rate")
    assert bars.layout.title.text == "各区县投保率"
    assert bars.layout.xaxis.tickformat == ".0%"
    assert list(bars.data[0].customdata) == ["330106", "330108"]
    categories = charts.category_bars(
        frame.rename(columns={"district_name": "label"}), "按群体", "label", "rate"
    )
    assert categories.layout.yaxis.tickformat == ".0%"


def test_retention_curves_are_shares_from_zero_to_one():
    cohorts = pd.DataFrame(
        {"cohort": ["2024Q1"] * 3, "months_in": [0, 3, 6], "retention": [1.0, None, 0.6]}
    )
    figure = charts.retention_curves(cohorts, "留存曲线")
    assert figure.layout.title.text == "留存曲线"
    assert figure.layout.yaxis.tickformat == ".0%"
    assert list(figure.layout.yaxis.range) == [0, 1]


def test_trend_titles_and_ticks_are_legible_cjk_in_print():
    figure = charts.trend_line(SERIES, "投保率(近3个月)", "投保率", "rate")
    assert figure.layout.title.font.size >= 20
    assert figure.layout.xaxis.tickfont.size >= 14 and figure.layout.yaxis.tickfont.size >= 14
    for family in (figure.layout.font.family, figure.layout.title.font.family):
        assert family.split(",")[0] == "WenQuanYi Zen Hei"
    end_labels = figure.data[1].textfont
    assert end_labels.family.split(",")[0] == "WenQuanYi Zen Hei"  # not a monospace fallback
    assert end_labels.size >= 14


def test_a_target_line_is_written_in_the_kpis_unit():
    rate = charts.trend_line(SERIES, "投保率", "投保率", "rate", target=0.2, target_label="目标")
    assert [a.text for a in rate.layout.annotations] == ["目标 20.0%"]
    assert rate.layout.yaxis.hoverformat == ".1%"
    counts = SERIES.assign(value=[50, 52, 55])
    count = charts.trend_line(counts, "党组织数", "党组织数", target=3025)
    assert [a.text for a in count.layout.annotations] == ["3,025"]
