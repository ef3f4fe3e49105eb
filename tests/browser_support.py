"""Serving the dashboards for browser tests, and a headless Chromium to look at them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlparse

from playwright.sync_api import Browser, BrowserContext, Page, sync_playwright

from tests.conftest import XIAOGE
from tests.processes import free_port, stop_group

CHROMIUM = "/usr/bin/chromium"
OIDC_PROVIDER = str(Path(sys.executable).with_name("oidc-provider-mock"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


# `make test` runs two test workers on two cores: a page waits longer than Playwright's 30 s
PATIENCE_MS = 90_000


@contextmanager
def serving(home: Path, *args: str, timeout: float = 240) -> Iterator[str]:
    """Run `xiaoge <args> --port P` until the dashboard answers; yield its URL; stop it."""
    port = free_port()
    log = home / f"serve-{port}.log"
    env = {**os.environ, "XIAOGE_HOME": str(home)}
    with log.open("w") as out:
        child = subprocess.Popen(
            [XIAOGE, *args, "--port", str(port)],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + timeout
        while True:
            if child.poll() is not None:
                raise AssertionError(
                    f"xiaoge {' '.join(args)} exited {child.returncode}:\n{log.read_text()}"
                )
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                    if response.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise AssertionError(
                    f"dashboard did not start within {timeout}s:\n{log.read_text()}"
                )
            time.sleep(0.5)
        yield url
    finally:
        stop_group(child)


@contextmanager
def oidc_provider() -> Iterator[str]:
    """oidc-provider-mock (a real OIDC provider) on a free 127.0.0.1 port; yields its issuer."""
    port = free_port()
    child = subprocess.Popen(
        [OIDC_PROVIDER, "--host", "127.0.0.1", "--port", str(port)],
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
        stop_group(child, timeout=10)


def provider_user(issuer: str, sub: str, claims: dict) -> None:
    """Give the provider's user `sub` these claims (its `PUT /users/<sub>`); without this the
    mock sends only `email` = the typed subject, with no `email_verified`."""
    request = urllib.request.Request(
        f"{issuer}/users/{sub}",
        data=json.dumps(claims).encode(),
        headers={"Content-Type": "application/json"},
        method="PUT",
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        assert response.status == 204, response.status


def auth_secrets(path: Path, issuer: str) -> Path:
    """A secrets file with an [auth] section for the provider at `issuer`."""
    path.write_text(
        "[auth]\n"
        'redirect_uri = "http://127.0.0.1:{port}/oauth2callback"\n'
        'cookie_secret = "an-end-to-end-test-cookie-secret-0123456789"\n'
        'client_id = "xiaoge-test"\n'
        'client_secret = "xiaoge-test-secret"\n'
        f'server_metadata_url = "{issuer}/.well-known/openid-configuration"\n',
        encoding="utf-8",
    )
    return path


def login(page: Page, url: str, sub: str, then: str = '[data-testid="stMetric"]') -> None:
    """Log in through the provider's form as `sub`; wait for `then` on the app's page."""
    page.goto(url)
    page.get_by_role("button", name="登录").click()
    page.wait_for_selector("input[name=sub]", timeout=PATIENCE_MS)
    page.fill("input[name=sub]", sub)
    page.get_by_role("button", name="Authorize").click()
    page.wait_for_selector(then, timeout=PATIENCE_MS)


@contextmanager
def chromium() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        new_context = browser.new_context

        def patient_context(**options) -> BrowserContext:
            context = new_context(**options)
            context.set_default_timeout(PATIENCE_MS)
            return context

        # every page, whether from new_page or a context, waits up to PATIENCE_MS by default
        browser.new_context = patient_context  # type: ignore[method-assign]
        browser.new_page = lambda **options: patient_context(**options).new_page()  # type: ignore[method-assign]
        try:
            yield browser
        finally:
            browser.close()


def watched_page(browser: Browser, **options) -> tuple[Page, set[str], list[str]]:
    """A new page that records the hosts it requests and the script errors it raises."""
    page = browser.new_page(**options)
    hosts: set[str] = set()
    errors: list[str] = []
    page.on("request", lambda request: hosts.add(urlparse(request.url).netloc))
    page.on("pageerror", lambda error: errors.append(str(error)))
    return page, hosts, errors


def wait_until_idle(page: Page, timeout: float = 60_000) -> None:
    """Wait until the app's script has finished running (Streamlit streams elements as it runs)."""
    page.wait_for_timeout(300)  # a click's rerun starts a moment after the click
    page.locator("[data-testid='stApp'][data-test-script-state='notRunning']").wait_for(
        timeout=timeout
    )
