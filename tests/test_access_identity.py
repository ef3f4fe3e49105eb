"""Who a login is: verified claims only, refusals logged once per session, the demo's role,
the analysts' model docs, and which URLs the session gate leaves open."""

from __future__ import annotations

import json
from functools import partial
from pathlib import Path

import pytest

from dashboards.session_gate import is_open
from tests.access_support import ACCESS, XIHU, start_app
from tests.conftest import run_cli
from warehouse.access import (
    Role,
    access_log,
    check_login,
    load_access,
    local_viewer,
    viewer_for,
)
from warehouse.config import Home
from warehouse.errors import UserError


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Home:
    path = tmp_path / "access.yml"
    path.write_text(ACCESS, encoding="utf-8")
    monkeypatch.setenv("XIAOGE_ACCESS_FILE", str(path))
    return Home(tmp_path / "home")


def _log(home: Home) -> list[dict]:
    path = access_log(home)
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


# --- check_login: the rules -----------------------------------------------------------------


@pytest.mark.parametrize("verified", [True, "true"])
def test_a_verified_listed_email_gets_exactly_its_role(home: Home, verified: object):
    login = check_login({"email": "xihu@hz.example", "email_verified": verified, "sub": "u1"}, home)
    assert login.refusal is None and login.viewer is not None
    assert login.viewer.user == "xihu@hz.example"
    assert login.viewer.role == Role("district", XIHU)
    # keys compare case-insensitively, the name is shown as claimed
    login = check_login({"email": "analyst@hz.EXAMPLE", "email_verified": True}, home)
    assert login.viewer is not None and login.viewer.role == Role("analyst")


@pytest.mark.parametrize("verified", [False, None, "false", "True", "yes", 1, "1"])
def test_an_unverified_email_is_refused_even_when_listed(home: Home, verified: object):
    claims = {"email": "leader@hz.example", "sub": "u-mallory"}
    if verified is not None:
        claims["email_verified"] = verified
    login = check_login(claims, home)
    assert login.viewer is None and login.refusal == "email_unverified"
    assert login.claimed == {"email": "leader@hz.example", "sub": "u-mallory"}


def test_no_fallback_to_the_subject(home: Home):
    # The subject is the listed address (some providers let users choose it): not a way in.
    for claims in (
        {"sub": "leader@hz.example"},
        {"sub": "leader@hz.example", "email": "", "email_verified": True},
        {"sub": "leader@hz.example", "email": ["leader@hz.example"], "email_verified": True},
    ):
        login = check_login(claims, home)
        assert login.viewer is None and login.refusal == "no_email", claims
        assert login.claimed == {"sub": "leader@hz.example"}
    # A verified but unlisted address is not rescued by a listed subject either.
    login = check_login(
        {"email": "who@hz.example", "email_verified": True, "sub": "leader@hz.example"}, home
    )
    assert login.viewer is None and login.refusal == "not_listed"


def test_a_broken_access_file_lets_nobody_in(home: Home, tmp_path: Path):
    (tmp_path / "access.yml").write_text("users:\n  a@b: superuser\n", encoding="utf-8")
    login = check_login({"email": "leader@hz.example", "email_verified": True}, home)
    assert login.viewer is None and login.refusal == "access_file_broken"
    assert "superuser" in login.detail and "\n" not in login.detail


def test_the_operator_may_name_another_identity_claim(home: Home, tmp_path: Path):
    (tmp_path / "access.yml").write_text(
        "identity_claim: preferred_username\nusers:\n  zhang.san: city\n  leader@hz.example: city\n",
        encoding="utf-8",
    )
    login = check_login({"preferred_username": "Zhang.San", "sub": "u7"}, home)
    assert login.viewer is not None and login.viewer.user == "Zhang.San"
    # Then that claim is the only one: a verified listed e-mail without it does not count.
    login = check_login(
        {"email": "leader@hz.example", "email_verified": True, "sub": "zhang.san"}, home
    )
    assert login.viewer is None and login.refusal == "no_identity_claim"
    assert login.detail == "preferred_username"
    (tmp_path / "access.yml").write_text(
        "identity_claim: [email, sub]\nusers:\n  a@b: city\n", encoding="utf-8"
    )
    with pytest.raises(UserError, match="identity_claim"):
        load_access(tmp_path / "access.yml")


def test_as_user_names_a_user_and_refusals_are_logged(home: Home):
    viewer = viewer_for("xihu@hz.example", home)
    assert viewer.user == "xihu@hz.example" and viewer.district_code == XIHU
    assert _log(home) == []
    with pytest.raises(UserError, match="没有访问权限"):
        viewer_for("who@hz.example", home)
    [record] = _log(home)
    assert record["action"] == "refused" and record["target"] == "export"
    assert record["reason"] == "not_listed" and record["claimed"] == {"as_user": "who@hz.example"}
    assert record["user"] is None


# --- the demo's local mode ------------------------------------------------------------------


def test_local_mode_is_the_city_unless_xiaoge_demo_role_says_otherwise(
    monkeypatch: pytest.MonkeyPatch,
):
    monkeypatch.delenv("XIAOGE_DEMO_ROLE", raising=False)
    assert local_viewer().role == Role("city") and local_viewer().local
    for text, role in (("analyst", Role("analyst")), (f"district:{XIHU}", Role("district", XIHU))):
        monkeypatch.setenv("XIAOGE_DEMO_ROLE", text)
        assert local_viewer().role == role
    monkeypatch.setenv("XIAOGE_DEMO_ROLE", "superuser")
    with pytest.raises(UserError, match="XIAOGE_DEMO_ROLE") as error:
        local_viewer()
    assert "\n" not in str(error.value)


def test_a_bad_demo_role_is_one_line_at_the_console(
    demo_home: Path, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setenv("XIAOGE_DEMO_ROLE", "district:999999")
    result = run_cli(demo_home, "serve", "--port", "8599", check=False)
    assert result.returncode == 1
    assert "XIAOGE_DEMO_ROLE" in result.stderr and "999999" in result.stderr
    assert "Traceback" not in result.stderr + result.stdout


# --- in the app (AppTest) -------------------------------------------------------------------


@pytest.fixture
def app(monkeypatch: pytest.MonkeyPatch, home: Home):
    return partial(start_app, monkeypatch)


def test_a_refused_login_is_logged_once_per_session(app, copy_of_demo_home: Path):
    forged = {
        "is_logged_in": True,
        "email": "xihu@hz.example",
        "email_verified": False,
        "sub": "u-mallory",
    }
    # the demo home's log may hold what other tests that read the demo did before the copy
    earlier = len(_log(Home(copy_of_demo_home)))
    at = app(copy_of_demo_home, forged)
    assert not at.exception
    assert any("未经身份提供方验证" in e.value for e in at.error)
    assert len(at.metric) == 0 and len(at.selectbox) == 0
    at.run()  # a rerun of the same session: no second record
    at.run()
    log = _log(Home(copy_of_demo_home))[earlier:]
    refused = [r for r in log if r["action"] == "refused"]
    assert len(refused) == 1
    assert refused[0]["reason"] == "email_unverified" and refused[0]["target"] == "login"
    assert refused[0]["claimed"] == {"email": "xihu@hz.example", "sub": "u-mallory"}
    assert not [r for r in log if r["action"] == "page"], "a refused login views no page"
    app(copy_of_demo_home, forged)  # a new session logs again
    log = _log(Home(copy_of_demo_home))[earlier:]
    assert len([r for r in log if r["action"] == "refused"]) == 2


def test_demo_role_district_sees_only_that_district(
    app, demo_home: Path, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setenv("XIAOGE_DEMO_ROLE", f"district:{XIHU}")
    at = app(demo_home, None, auth=False)
    assert not at.exception
    assert any(f"district:{XIHU}" in w.value for w in at.warning)
    assert at.selectbox(key="district_code").options == ["西湖区"]


def test_a_bad_demo_role_shows_one_line_and_no_data(
    app, demo_home: Path, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setenv("XIAOGE_DEMO_ROLE", "superuser")
    at = app(demo_home, None, auth=False)
    assert not at.exception
    assert [e.value for e in at.error] == [
        "环境变量 XIAOGE_DEMO_ROLE:角色 'superuser' 无效:请用 city、analyst、district:<code>"
    ]
    assert len(at.metric) == 0


def test_model_docs_are_for_analysts_only(app, copy_of_demo_home: Path):
    site = copy_of_demo_home / "build" / "docs" / "index.html"
    site.parent.mkdir(parents=True)
    site.write_text("<html><head></head><body>dbt docs of fct_kpi_monthly</body></html>")
    analyst = {"is_logged_in": True, "email": "analyst@hz.example", "email_verified": True}
    at = app(copy_of_demo_home, analyst)
    at.switch_page("app_pages/dictionary.py").run()
    assert not at.exception
    assert any("(model-docs?model=" in m.value for m in at.markdown)
    at.switch_page("app_pages/model_docs.py").run()
    assert not at.exception
    [frame] = at.get("iframe")
    assert "dbt docs of fct_kpi_monthly" in frame.proto.srcdoc

    leader = {"is_logged_in": True, "email": "leader@hz.example", "email_verified": True}
    at = app(copy_of_demo_home, leader)
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        at.switch_page("app_pages/model_docs.py")
    at.switch_page("app_pages/dictionary.py").run()
    assert not any("model-docs" in m.value for m in at.markdown)


# --- the session gate's open paths ----------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    ["/", "/party", "/model-docs", "/quality/", "/static/js/index.js", "/favicon.png",
     "/_stcore/health", "/_stcore/host-config", "/_stcore/stream", "/auth/login",
     "/oauth2callback"],
)  # fmt: skip
def test_the_page_shell_and_the_login_are_open(path: str):
    assert is_open(path)


@pytest.mark.parametrize(
    "path",
    ["/media/0a1b2c.csv", "/media", "/app/static/dbt_docs.html", "/app", "/component/x/index.html",
     "/_stcore/upload_file/s/f", "/_stcore/metrics", "/_stcore/agent/interact",
     "/_stcore/bidi-components/x", "/party/../media/x", "/static/../media/x", "/static",
     "/a.html"],
)  # fmt: skip
def test_file_routes_need_a_session(path: str):
    assert not is_open(path)


def test_a_base_url_path_is_honoured():
    assert is_open("/xiaoge/party", "xiaoge") and is_open("/xiaoge/", "/xiaoge/")
    assert not is_open("/xiaoge/media/x.csv", "xiaoge") and not is_open("/party", "xiaoge")
