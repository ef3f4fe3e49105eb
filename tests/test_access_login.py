"""End to end: a real OIDC provider (oidc-provider-mock) on 127.0.0.1, `xiaoge serve` with an
[auth] configuration, and Playwright logging in: a district user, a city user, and logins that
claim a listed address without the provider vouching for it."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from playwright.sync_api import Page

from tests.browser_support import (
    auth_secrets,
    chromium,
    login,
    oidc_provider,
    provider_user,
    serving,
    wait_until_idle,
)
from tests.conftest import run_cli

pytestmark = pytest.mark.browser

XIHU, XIHU_NAME = "330106", "西湖区"
OTHER_DISTRICTS = ["上城区", "拱墅区", "滨江区", "萧山区", "余杭区", "临平区", "钱塘区", "富阳区"]
PAGES = [
    "overview",
    "party",
    "rights",
    "service",
    "workforce",
    "training",
    "xiaogema",
    "governance",
    "reports",
    "dictionary",
    "bigscreen",
]


def _settle(page: Page) -> str:
    """Wait until the page has drawn and stopped running; return its visible text."""
    page.wait_for_selector("h1", timeout=90_000)
    # the script has started (it drew the title): wait for its run to end, not just a pause
    wait_until_idle(page, timeout=90_000)
    page.wait_for_function(
        "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=90_000
    )
    page.wait_for_timeout(300)
    return page.locator("body").inner_text()


@pytest.mark.timeout(300)
def test_login_roles_end_to_end(
    copy_of_demo_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, artifacts: Path
):
    home = copy_of_demo_home
    access_log = home / "logs" / "access.jsonl"
    # The shared demo home may carry other tests' records (AppTest runs log to it): skip them.
    earlier = len(access_log.read_text(encoding="utf-8").splitlines()) if access_log.exists() else 0
    access = tmp_path / "access.yml"
    access.write_text(
        f"users:\n  xihu@hz.example: district:{XIHU}\n  leader@hz.example: city\n",
        encoding="utf-8",
    )
    monkeypatch.setenv("XIAOGE_ACCESS_FILE", str(access))

    # The district user's export: their district only, whatever they ask for.
    run_cli(home, "export", "--month", "2025-06", "--as-user", "xihu@hz.example")
    pack = pd.read_csv(
        home / "exports" / "2025-06" / f"district-{XIHU}" / "v1" / "kpis.csv",
        encoding="utf-8-sig",
        dtype=str,
    )
    assert set(pack["district_code"]) == {XIHU} and set(pack["area"]) == {XIHU_NAME}

    with oidc_provider() as issuer:
        # Subjects are opaque ids, as at a real provider: the e-mail claim is the identity.
        provider_user(issuer, "u-xihu", {"email": "xihu@hz.example", "email_verified": True})
        # Some providers send the flag as the string "true".
        provider_user(issuer, "u-leader", {"email": "leader@hz.example", "email_verified": "true"})
        # A provider account that put the Xihu office's address in its profile, unverified.
        provider_user(issuer, "u-mallory", {"email": "xihu@hz.example", "email_verified": False})
        # A subject that equals a listed address, with no e-mail claim at all.
        provider_user(issuer, "leader@hz.example", {})
        secrets = auth_secrets(tmp_path / "secrets.toml", issuer)
        with serving(home, "serve", "--secrets", str(secrets)) as url, chromium() as browser:
            # Nobody signed in: the login button and nothing else, on any page.
            anonymous = browser.new_page()
            for path in ("", "/party", "/quality"):
                anonymous.goto(url + path)
                text = _settle(anonymous)
                assert anonymous.get_by_role("button", name="登录").count() == 1
                assert anonymous.locator('[data-testid="stMetric"]').count() == 0
                assert "本地演示模式" not in text and XIHU_NAME not in text
            anonymous.close()

            # Claims that name listed users without the provider vouching: refused, no data.
            # Two sessions each: the one the login lands in, and a page opened afterwards.
            for sub, reason in (
                ("u-mallory", "邮箱未经身份提供方验证"),
                ("leader@hz.example", "没有邮箱"),
            ):
                forged = browser.new_context().new_page()
                login(forged, url, sub, then='[data-testid="stAlertContentError"]')
                for path in (None, "/party"):
                    if path is not None:
                        forged.goto(url + path)
                    text = _settle(forged)
                    assert reason in text, (sub, text)
                    assert forged.locator('[data-testid="stMetric"]').count() == 0
                    assert XIHU_NAME not in text and "全市" not in text
                forged.screenshot(path=str(artifacts / f"access-refused-{sub}.png"))
                forged.close()

            # A district user: their district on every page, no other, no city, no quality page.
            district = browser.new_context().new_page()
            login(district, url, "u-xihu")
            for name in PAGES:
                district.goto(f"{url}/{name}")
                text = _settle(district)
                district.screenshot(path=str(artifacts / f"access-district-{name}.png"))
                for other in OTHER_DISTRICTS:
                    assert other not in text, (name, other)
                if name not in ("dictionary", "bigscreen"):  # no sidebar / no area caption
                    assert "xihu@hz.example" in text, name
                    assert XIHU_NAME in text or XIHU in text, name
                if name != "dictionary":  # definitions speak of the city; it shows no figure
                    assert "全市" not in text.replace("全市指标", ""), name
            district.goto(f"{url}/quality")
            text = _settle(district)
            assert "隔离行" not in text and "数据质量" not in text
            district.close()

            # A city user: the whole city (AppTest checks the 13 district choices).
            city = browser.new_context().new_page()
            login(city, url, "u-leader")
            text = _settle(city)
            assert "全市" in text and "50个" in text
            city.screenshot(path=str(artifacts / "access-city-overview.png"))
            city.close()

    log = [
        json.loads(line) for line in access_log.read_text(encoding="utf-8").splitlines()[earlier:]
    ]
    pages = {(r["user"], r["target"]) for r in log if r["action"] == "page"}
    assert ("xihu@hz.example", "party") in pages and ("leader@hz.example", "overview") in pages
    assert all(
        r["scope"].get("district_code") == XIHU for r in log if r["user"] == "xihu@hz.example"
    )
    # Each refused login once per session (two sessions each), with what it claimed.
    refused = [r for r in log if r["action"] == "refused"]
    assert [(r["reason"], r["claimed"]) for r in refused] == [
        ("email_unverified", {"email": "xihu@hz.example", "sub": "u-mallory"}),
        ("email_unverified", {"email": "xihu@hz.example", "sub": "u-mallory"}),
        ("no_email", {"sub": "leader@hz.example"}),
        ("no_email", {"sub": "leader@hz.example"}),
    ]
    assert all(r["user"] is None and r["target"] == "login" for r in refused)
