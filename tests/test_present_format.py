"""Value formatting as people read it: counts, rates, amounts, missing, hidden, changes."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from warehouse.present.format import (
    FLAT,
    MISSING,
    change,
    date_zh,
    figure,
    month_zh,
    number,
    percent,
    value,
)
from warehouse.privacy import SUPPRESSED


@pytest.mark.parametrize(
    ("raw", "unit", "lang", "text"),
    [
        (50, "个", "zh", "50个"),
        (3025.0, "个", "zh", "3,025个"),
        (12_345, "人", "zh", "1.2万人"),
        (12_345, "人", "en", "12,345"),
        (2.25, "小时", "zh", "2.2小时"),
        (1_234.56, "元", "zh", "1,234.6元"),
        (0, "", "zh", "0"),
    ],
)
def test_counts_and_amounts(raw, unit, lang, text):
    assert number(raw, unit, lang) == text


def test_rates_are_percentages_with_one_decimal():
    assert value(0.1234, "rate", "比例") == "12.3%"
    assert value(1, "rate", None) == "100.0%"
    assert percent(0.0) == "0.0%"


@pytest.mark.parametrize("missing", [None, float("nan"), math.nan, pd.NA])
def test_missing_values_read_as_a_dash(missing):
    assert value(missing, "count", "个") == MISSING
    assert value(missing, "rate", None) == MISSING
    assert figure(missing) == MISSING
    assert change(missing, 1, "count") is None


@pytest.mark.parametrize("tiny", [-0.0, -0.00001, -1e-9])
def test_negative_zero_never_reads_minus_zero(tiny):
    assert percent(tiny) == "0.0%"
    assert number(tiny) == "0" or number(tiny) == "0.0"
    assert not number(tiny).startswith("-")
    assert not change(tiny, 0.0, "rate").startswith("-")
    assert not change(1 + tiny, 1, "count").startswith("-")


def test_the_suppressed_marker_wins_over_any_value():
    for flag in (True, 1):
        assert value(3, "count", "人", suppressed=flag) == SUPPRESSED == "<5"
        assert value(None, "rate", None, suppressed=flag) == SUPPRESSED
        assert figure(None, flag) == SUPPRESSED
    for flag in (False, None, float("nan"), pd.NA):
        assert value(3, "count", "人", suppressed=flag) == "3人"


def test_changes_in_points_for_rates_and_differences_for_counts():
    assert change(0.25, 0.2, "rate") == "+5.0pp"
    assert change(0.2, 0.25, "rate", points=" 个百分点") == "-5.0 个百分点"
    assert change(50, 48, "count") == "+2"
    assert change(2.5, 2.25, "average") == "+0.2" or change(2.5, 2.25, "average") == "+0.3"
    assert change(1500, 1000, "count") == "+500"


def test_figures_are_raw_numbers():
    assert figure(0.123456) == "0.123456"
    assert figure(50) == "50"


@pytest.mark.parametrize(
    ("current", "previous", "kind"),
    [
        (0.5, 0.5, "rate"),
        (0.50004, 0.5, "rate"),  # +0.004 points: rounds to nothing
        (0.49996, 0.5, "rate"),
        (100, 100, "count"),
        (100.03, 100, "count"),
        (2.24, 2.2, "average"),  # +0.04
        (2.16, 2.2, "amount"),  # -0.04
    ],
)
def test_a_change_that_rounds_to_nothing_reads_flat_in_one_word(current, previous, kind):
    assert change(current, previous, kind, points=" 个百分点") == FLAT["zh"] == "持平"
    assert change(current, previous, kind, lang="en") == FLAT["en"] == "0"


def test_no_change_ever_reads_as_a_signed_zero():
    deltas = [d / 10_000 for d in range(-200, 201)]
    for kind in ("rate", "count", "average"):
        for delta in deltas:
            text = change(0.5 + delta, 0.5, kind, points=" 个百分点")
            assert not any(text.startswith(z) for z in ("+0 ", "-0 ", "+0.0 ", "-0.0 ")), text
            assert text not in {"+0", "-0", "+0.0", "-0.0"}, (kind, delta)
    assert change(0.501, 0.5, "rate", points=" 个百分点") == "+0.1 个百分点"
    assert change(2.26, 2.2, "average") == "+0.1"


def test_months_and_days_as_a_chinese_report_writes_them():
    assert month_zh("2025-06") == "2025年6月"
    assert month_zh("2025-12-01") == "2025年12月"
    assert date_zh("2025-07-03") == "2025年7月3日"
