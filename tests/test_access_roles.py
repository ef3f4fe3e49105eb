"""Roles through AppTest (`at.user`), the scoped query, hostile filter values, export roles."""

from __future__ import annotations

import json
from functools import partial
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from tests.access_support import ACCESS, AUTH, XIHU, start_app
from tests.conftest import kpi_json, run_cli
from warehouse.access import access_log, load_roles, scoped_query
from warehouse.config import Home
from warehouse.errors import UserError

HOSTILE = [
    "330106' or '1'='1",
    "330106; drop table fct_kpi_monthly; --",
    "' union select * from fct_kpi_monthly --",
    "null",
    "%",
]


@pytest.fixture
def access_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "access.yml"
    path.write_text(ACCESS, encoding="utf-8")
    monkeypatch.setenv("XIAOGE_ACCESS_FILE", str(path))
    return path


@pytest.fixture
def app(monkeypatch: pytest.MonkeyPatch, access_file: Path):
    return partial(start_app, monkeypatch)


def _texts(at: AppTest) -> str:
    parts = [m.label + " " + m.value for m in at.metric]
    for kind in (at.caption, at.markdown, at.info, at.error, at.warning, at.title):
        parts += [element.value for element in kind]
    return "\n".join(parts)


def test_no_login_provider_means_local_mode_with_a_banner(app, demo_home: Path):
    at = app(demo_home, None, auth=False)
    assert not at.exception
    assert any("本地演示模式" in w.value and "city" in w.value for w in at.warning)
    assert len(at.metric) > 0
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        at.switch_page("app_pages/quality.py")  # the demo is a city view, not an analyst's


def test_logged_out_visitor_sees_only_the_login(app, demo_home: Path):
    at = app(demo_home, {"is_logged_in": False})
    assert not at.exception
    assert [b.label for b in at.button] == ["登录"]
    assert len(at.metric) == 0 and len(at.selectbox) == 0
    assert not any("本地演示模式" in w.value for w in at.warning)


def test_unknown_user_gets_a_clear_no(app, demo_home: Path):
    at = app(
        demo_home, {"is_logged_in": True, "email_verified": True, "email": "stranger@hz.example"}
    )
    assert not at.exception
    assert any("stranger@hz.example" in e.value and "没有访问权限" in e.value for e in at.error)
    assert len(at.metric) == 0


def test_district_user_sees_only_their_district(app, demo_home: Path):
    at = app(
        demo_home,
        {"is_logged_in": True, "email_verified": True, "email": "xihu@hz.example", "sub": "u1"},
    )
    assert not at.exception
    district = at.selectbox(key="district_code")
    assert district.options == ["西湖区"]
    shown = {m.label: m.value for m in at.metric}
    expected = kpi_json(demo_home, "--district", XIHU)["kpis"]["party_orgs"]["value"]
    assert shown["党组织数"] == f"{expected}个"
    city = kpi_json(demo_home)["kpis"]["party_orgs"]["value"]
    assert expected != city
    assert "全市" not in _texts(at)
    log = [json.loads(line) for line in access_log(Home(demo_home)).read_text().splitlines()]
    assert any(
        r["user"] == "xihu@hz.example"
        and r["role"] == f"district:{XIHU}"
        and r["scope"].get("district_code") == XIHU
        for r in log
    )


def test_district_user_cannot_reach_the_quality_page_or_data(app, demo_home: Path):
    at = app(demo_home, {"is_logged_in": True, "email_verified": True, "email": "xihu@hz.example"})
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        at.switch_page("app_pages/quality.py")  # not in this user's navigation at all
    # and the data module refuses, whatever a page (or a forged page) asks for
    probe = AppTest.from_function(_quality_probe, default_timeout=60)
    probe.secrets = AUTH
    probe.user = {"is_logged_in": True, "email_verified": True, "email": "xihu@hz.example"}
    probe.run()
    assert probe.exception and "analysts" in probe.exception[0].message
    probe.user = {"is_logged_in": True, "email_verified": True, "email": "analyst@hz.example"}
    probe.run()
    assert not probe.exception


def _quality_probe() -> None:
    import streamlit as st

    from dashboards import data

    st.write(len(data.quarantine_reasons()))


def test_analyst_sees_the_quality_page(app, demo_home: Path):
    at = app(
        demo_home, {"is_logged_in": True, "email_verified": True, "email": "analyst@hz.example"}
    )
    at.switch_page("app_pages/quality.py").run()
    assert not at.exception
    assert any(m.label == "发布版本" for m in at.metric)


def test_city_user_sees_the_whole_city(app, demo_home: Path):
    at = app(
        demo_home, {"is_logged_in": True, "email_verified": True, "email": "leader@hz.example"}
    )
    assert not at.exception
    assert len(at.selectbox(key="district_code").options) == 14
    shown = {m.label: m.value for m in at.metric}
    assert shown["党组织数"] == "50个"


# --- the scoped query -----------------------------------------------------------------------


def test_district_scope_hides_every_other_area_even_when_the_query_forgets(demo_home: Path):
    home = Home(demo_home)
    frame = scoped_query(
        home,
        "select distinct area_level, district_code from main.fct_kpi_monthly",
        [],
        XIHU,
    )
    assert frame.to_dict(orient="records") == [{"area_level": "district", "district_code": XIHU}]
    stations = scoped_query(home, "select distinct district_code from dim_station", [], XIHU)
    assert stations["district_code"].tolist() == [XIHU]
    names = scoped_query(home, "select district_name from dim_district", [], XIHU)
    assert names["district_name"].tolist() == ["西湖区"]


@pytest.mark.parametrize("hostile", HOSTILE)
def test_hostile_filter_values_return_nothing_extra_and_raise_nothing(
    demo_home: Path, hostile: str
):
    home = Home(demo_home)
    sql = (
        "select count(*) as n from fct_kpi_monthly "
        "where district_code = ?::varchar or group_code = ?::varchar or platform_code = ?::varchar"
    )
    assert scoped_query(home, sql, [hostile, hostile, hostile])["n"].item() == 0
    # as the district: the hostile value is bound, so the district table is simply empty
    assert (
        scoped_query(home, "select count(*) as n from fct_kpi_monthly", [], hostile)["n"].item()
        == 0
    )
    assert scoped_query(home, "select count(*) as n from kpi_catalogue", [])["n"].item() > 0


@pytest.mark.parametrize("hostile", HOSTILE)
def test_hostile_scope_through_the_data_module(
    demo_home: Path, monkeypatch: pytest.MonkeyPatch, hostile: str
):
    monkeypatch.setenv("XIAOGE_HOME", str(demo_home))
    from dashboards import data

    month = data.months()[-1]
    city = data.headline(data.Scope(month))
    for scope in (
        data.Scope(month, district_code=hostile),
        data.Scope(month, group_code=hostile),
        data.Scope(month, platform_code=hostile),
    ):
        found = data.headline(scope)
        assert len(found) == len(city)  # one row per catalogue KPI, nothing extra
        if scope.district_code is not None:
            assert found["value"].isna().all()
    assert data.breakdown("workforce_active", data.Scope(month, hostile), "group_code").empty
    stations = data.stations(data.Scope(month, hostile))
    assert stations.empty


# --- the access file and exports ------------------------------------------------------------


def test_access_file_rejects_unknown_roles_and_districts(tmp_path: Path):
    path = tmp_path / "access.yml"
    path.write_text("users:\n  a@b: district:999999\n", encoding="utf-8")
    with pytest.raises(UserError, match="999999"):
        load_roles(path)
    path.write_text("users:\n  a@b: superuser\n", encoding="utf-8")
    with pytest.raises(UserError, match="superuser"):
        load_roles(path)
    assert load_roles(tmp_path / "missing.yml") == {}


def test_district_user_exports_only_their_district(
    copy_of_demo_home: Path, access_file: Path, monkeypatch: pytest.MonkeyPatch
):
    home = copy_of_demo_home
    refused = run_cli(
        home, "export", "--month", "2025-06", "--as-user", "xihu@hz.example", "--district",
        "330102", check=False,
    )  # fmt: skip
    assert refused.returncode == 1 and "只能导出本区县" in refused.stderr
    stranger = run_cli(
        home, "export", "--month", "2025-06", "--as-user", "who@hz.example", check=False
    )
    assert stranger.returncode == 1 and "没有访问权限" in stranger.stderr
    run_cli(home, "export", "--month", "2025-06", "--as-user", "xihu@hz.example")
    pack = home / "exports" / "2025-06" / f"district-{XIHU}" / "v1"
    rows = pd.read_csv(pack / "kpis.csv", encoding="utf-8-sig", dtype=str)
    assert set(rows["district_code"]) == {XIHU}
    assert "全市" not in set(rows["area"])
    log = [json.loads(line) for line in access_log(Home(home)).read_text().splitlines()]
    assert log[-1]["user"] == "xihu@hz.example" and log[-1]["action"] == "export"
    assert log[-1]["scope"]["district_code"] == XIHU
