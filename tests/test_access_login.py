"""End to end: a real OIDC provider (oidc-provider-mock) on 127.0.0.1, `xiaoge serve` with an
[auth] configuration, and Playwright logging in as a district user and as a city user."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pandas as pd
import pytest
from playwright.sync_api import Page

from tests.browser_support import chromium, free_port, serving
from tests.conftest import run_cli

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
PROVIDER = str(Path(sys.executable).with_name("oidc-provider-mock"))


@contextmanager
def oidc_provider() -> Iterator[str]:
    """oidc-provider-mock on a free 127.0.0.1 port; yields its issuer URL."""
    port = free_port()
    child = subprocess.Popen(
        [PROVIDER, "--host", "127.0.0.1", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    issuer = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(
                    f"{issuer}/.well-known/openid-configuration", timeout=2
                ):
                    break
            except OSError:
                if time.monotonic() > deadline or child.poll() is not None:
                    raise AssertionError("oidc-provider-mock did not start") from None
                time.sleep(0.2)
        yield issuer
    finally:
        os.killpg(child.pid, signal.SIGTERM)
        child.wait(timeout=10)


def _settle(page: Page) -> str:
    """Wait until the page has drawn and stopped running; return its visible text."""
    page.wait_for_selector("h1", timeout=30_000)
    page.wait_for_function(
        "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=30_000
    )
    page.wait_for_timeout(300)
    return page.locator("body").inner_text()


def _login(page: Page, url: str, user: str) -> None:
    page.goto(url)
    page.get_by_role("button", name="登录").click()
    page.wait_for_selector("input[name=sub]", timeout=20_000)
    page.fill("input[name=sub]", user)
    page.get_by_role("button", name="Authorize").click()
    page.wait_for_selector('[data-testid="stMetric"]', timeout=30_000)


@pytest.mark.timeout(180)
def test_login_roles_end_to_end(
    copy_of_demo_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, artifacts: Path
):
    home = copy_of_demo_home
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
        secrets = tmp_path / "secrets.toml"
        secrets.write_text(
            "[auth]\n"
            'redirect_uri = "http://127.0.0.1:{port}/oauth2callback"\n'
            'cookie_secret = "an-end-to-end-test-cookie-secret-0123456789"\n'
            'client_id = "xiaoge-test"\n'
            'client_secret = "xiaoge-test-secret"\n'
            f'server_metadata_url = "{issuer}/.well-known/openid-configuration"\n',
            encoding="utf-8",
        )
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

            # A district user: their district on every page, no other, no city, no quality page.
            district = browser.new_context().new_page()
            _login(district, url, "xihu@hz.example")
            for name in PAGES:
                district.goto(f"{url}/{name}")
                text = _settle(district)
                district.screenshot(path=str(artifacts / f"access-district-{name}.png"))
                for other in OTHER_DISTRICTS:
                    assert other not in text, (name, other)
                if name not in ("dictionary", "bigscreen"):  # no sidebar / no area caption
                    assert "xihu@hz.example" in text, name
                    assert XIHU_NAME in text or XIHU in text, name
                assert "全市" not in text.replace("全市指标", ""), name
            district.goto(f"{url}/quality")
            text = _settle(district)
            assert "隔离行" not in text and "数据质量" not in text
            district.close()

            # A city user: the whole city (AppTest checks the 13 district choices).
            city = browser.new_context().new_page()
            _login(city, url, "leader@hz.example")
            text = _settle(city)
            assert "全市" in text and "50个" in text
            city.screenshot(path=str(artifacts / "access-city-overview.png"))
            city.close()

    log = [
        json.loads(line)
        for line in (home / "logs" / "access.jsonl").read_text(encoding="utf-8").splitlines()
    ]
    pages = {(r["user"], r["target"]) for r in log if r["action"] == "page"}
    assert ("xihu@hz.example", "party") in pages and ("leader@hz.example", "overview") in pages
    assert all(
        r["scope"].get("district_code") == XIHU for r in log if r["user"] == "xihu@hz.example"
    )
