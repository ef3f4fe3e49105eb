"""warehouse.kpis' headline-row rule, series and breakdowns on a small in-memory warehouse."""

from __future__ import annotations

import math

import duckdb
import pandas as pd
import pytest

from warehouse.kpis import Scope, breakdown, by_district, headline, series, theme_names

# kpi_id, month, area_level, district, group, platform, value, suppressed
ROWS = [
    # stations: city and districts only, never broken down by group
    ("stations", "2025-05-01", "city", None, None, None, 90, False),
    ("stations", "2025-06-01", "city", None, None, None, 100, False),
    ("stations", "2024-06-01", "city", None, None, None, 60, False),
    ("stations", "2025-06-01", "district", "330106", None, None, 30, False),
    ("stations", "2025-06-01", "district", "330108", None, None, 70, False),
    # workers: all groups, per group and per platform
    ("workers", "2025-06-01", "city", None, None, None, 1000, False),
    ("workers", "2025-06-01", "city", None, "delivery", None, 600, False),
    ("workers", "2025-06-01", "city", None, "express", None, 400, False),
    ("workers", "2025-06-01", "city", None, "delivery", "meituan", 550, False),
    ("workers", "2025-06-01", "district", "330106", None, None, 200, False),
    ("workers", "2025-06-01", "district", "330106", "delivery", None, None, True),
    ("workers", "2025-06-01", "district", "330108", "delivery", None, 150, False),
    # churn: group rows only, the first group is the headline
    ("churn", "2025-06-01", "city", None, "delivery", None, 0.05, False),
    ("churn", "2025-06-01", "city", None, "express", None, 0.08, False),
]


@pytest.fixture
def run():
    con = duckdb.connect(":memory:")
    frame = pd.DataFrame(
        ROWS,
        columns=[
            "kpi_id",
            "month_start",
            "area_level",
            "district_code",
            "group_code",
            "platform_code",
            "kpi_value",
            "value_suppressed",
        ],
    ).assign(
        month_start=lambda f: pd.to_datetime(f["month_start"]).dt.date,
        numerator=None,
        denominator=None,
        numerator_suppressed=False,
        denominator_suppressed=False,
    )
    con.register("rows_frame", frame)
    con.execute(
        "create table fct_kpi_monthly as select md5(concat_ws('|', kpi_id, month_start, "
        "area_level, district_code, group_code, platform_code)) as kpi_row_id, "
        "kpi_id, month_start, area_level, "
        "district_code::varchar as district_code, group_code::varchar as group_code, "
        "platform_code::varchar as platform_code, kpi_value::double as kpi_value, "
        "numerator::double as numerator, denominator::double as denominator, value_suppressed, "
        "numerator_suppressed, denominator_suppressed from rows_frame"
    )
    con.execute(
        """
        create table dim_kpi_theme as select * from (values
            ('service', '服务阵地', 'Service network', 2), ('workforce', '队伍稳定', 'Workforce', 1)
        ) as t(theme, name_zh, name_en, page_order);
        create table dim_kpi as select c.*, t.page_order as theme_page_order from (values
            ('stations', '驿站数', 'Stations', '定义', 'Definition', '个', 'count', 'up',
             'service', 0.05, 'int_a'),
            ('workers', '在岗人数', 'Workers', '定义', 'Definition', '人', 'count', 'up',
             'workforce', 0.05, 'int_b'),
            ('churn', '月流失率', 'Churn', '定义', 'Definition', '比例', 'rate', 'down',
             'workforce', 0.2, 'int_b')
        ) as c(kpi_id, name_zh, name_en, definition_zh, definition_en, unit, value_kind,
               direction, theme, status_tolerance, source_model)
        join dim_kpi_theme as t using (theme);
        create table dim_district as select * from (values
            ('330106', '西湖区', 'Xihu'), ('330108', '滨江区', 'Binjiang')
        ) as d(district_code, district_name, district_name_pinyin);
        create table dim_worker_group as select * from (values
            ('delivery', '网约配送员'), ('express', '快递员')) as g(group_code, group_name);
        create table dim_platform as select * from (values
            ('meituan', '美团', 'delivery')) as p(platform_code, platform_name, group_code);
        """
    )
    yield lambda sql, params: con.execute(sql, params).df()
    con.close()


def _values(frame: pd.DataFrame) -> dict:
    return {
        row.kpi_id: (
            None if pd.isna(row.value) else row.value,
            None if pd.isna(row.group_code) else row.group_code,
        )
        for row in frame.itertuples(index=False)
    }


def test_city_headline_is_the_all_groups_row_or_the_first_group(run):
    frame = headline(run, Scope("2025-06"))
    assert _values(frame) == {
        "workers": (1000, None),
        "churn": (0.05, "delivery"),  # group rows only: the first group
        "stations": (100, None),
    }
    assert frame["kpi_id"].tolist() == ["churn", "workers", "stations"]  # page order


def test_group_scope_picks_the_group_row_where_there_is_one(run):
    frame = headline(run, Scope("2025-06", group_code="express"))
    assert _values(frame) == {
        "workers": (400, "express"),
        "churn": (0.08, "express"),
        "stations": (100, None),  # not broken down by group: its headline stays
    }


def test_platform_rows_count_only_under_a_platform_filter(run):
    assert _values(headline(run, Scope("2025-06")))["workers"] == (1000, None)
    chosen = headline(run, Scope("2025-06", platform_code="meituan"))
    assert _values(chosen)["workers"] == (550, "delivery")


def test_district_scope_reads_the_district_row_hidden_or_not(run):
    frame = headline(run, Scope("2025-06", "330106", "delivery")).set_index("kpi_id")
    assert frame.loc["stations", "value"] == 30
    assert math.isnan(frame.loc["workers", "value"])
    assert bool(frame.loc["workers", "value_suppressed"])
    assert not frame.loc["churn", "reported"]  # no district row at all


def _statuses(run, rows: list[tuple]) -> None:
    """fct_kpi_status as the served file holds it, for (kpi, area, target, status, hidden)."""

    def sql(item: object) -> str:
        return "null" if item is None else f"'{item}'" if isinstance(item, str) else str(item)

    values = ", ".join(f"({', '.join(sql(item) for item in row)})" for row in rows)
    run(
        f"""
        create table fct_kpi_status as
        select k.kpi_row_id, s.target as target_value, s.target * 1.1 as goal, '2025-12' as goal_month,
               s.status, s.hidden as status_suppressed
        from (values {values}) as s(kpi_id, district_code, target, status, hidden)
        join fct_kpi_monthly as k on k.kpi_id = s.kpi_id
            and k.district_code is not distinct from s.district_code
            and k.month_start = date '2025-06-01' and k.group_code is null
            and k.platform_code is null
        """,
        [],
    )


def test_each_area_has_its_own_targets_and_status(run):
    _statuses(
        run,
        [
            ("stations", None, 120, "red", False),
            ("stations", "330108", 60, "green", False),
            ("workers", "330106", 150, None, True),
        ],
    )
    city = headline(run, Scope("2025-06")).set_index("kpi_id")
    assert city.loc["stations", ["target", "goal", "goal_month", "status"]].tolist() == [
        120,
        132,
        "2025-12",
        "red",
    ]
    assert city.loc["stations", "status_name_zh"] == "红色"
    assert city.loc["stations", "status_colour"] == "#C62828"
    assert city.loc["stations", "has_target"] and not city.loc["workers", "has_target"]
    xihu = headline(run, Scope("2025-06", "330106")).set_index("kpi_id")
    assert not xihu.loc["stations", "has_target"]  # the city's target is not the district's
    assert xihu.loc["workers", "target"] == 150 and xihu.loc["workers", "status"] is None
    assert xihu.loc["workers", "status_suppressed"]
    districts = by_district(run, Scope("2025-06"), "stations").set_index("district_code")
    assert districts["status"].to_dict() == {"330106": None, "330108": "green"}
    assert districts.loc["330108", "status_name_zh"] == "绿色"
    # a group's figure is not the judged headline row: no target, no status
    express = headline(run, Scope("2025-06", group_code="express")).set_index("kpi_id")
    assert express.loc["workers", "status"] is None and not express.loc["workers", "has_target"]
    trend = series(run, "stations", Scope("2025-06"))
    assert trend["target"].tolist()[-1] == 120 and trend["target"].isna().sum() == 2


def test_without_fct_kpi_status_nothing_has_a_target(run):
    frame = headline(run, Scope("2025-06"))
    assert not frame["has_target"].any() and frame["status"].isna().all()


def test_comparisons_and_series_follow_the_same_rule(run):
    frame = headline(run, Scope("2025-06")).set_index("kpi_id")
    assert frame.loc["stations", "previous_month"] == 90
    assert frame.loc["stations", "previous_year"] == 60
    trend = series(run, "stations", Scope("2025-05"))
    assert trend[["month", "value"]].values.tolist() == [["2024-06", 60], ["2025-05", 90]]


def test_breakdowns_by_district_group_and_platform(run):
    districts = by_district(run, Scope("2025-06", group_code="delivery"), "workers")
    assert districts["district_code"].tolist() == ["330106", "330108"]
    assert bool(districts["value_suppressed"].iloc[0]) and districts["value"].iloc[1] == 150
    groups = breakdown(run, Scope("2025-06"), "group", "workers")
    assert dict(zip(groups["name_zh"], groups["value"], strict=True)) == {
        "网约配送员": 600,
        "快递员": 400,
    }
    platforms = breakdown(run, Scope("2025-06"), "platform", "workers")
    assert platforms[["code", "value"]].values.tolist() == [["meituan", 550]]
    with pytest.raises(ValueError):
        breakdown(run, Scope("2025-06"), "district_code")


def test_theme_names_come_from_the_themes_table(run):
    assert theme_names(run) == {"workforce": "队伍稳定", "service": "服务阵地"}
    assert theme_names(run, "en")["service"] == "Service network"
