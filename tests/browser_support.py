"""Serving the dashboards for browser tests, and a headless Chromium to look at them."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlparse

from playwright.sync_api import Browser, Page, sync_playwright

from tests.conftest import XIAOGE

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


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
        os.killpg(child.pid, signal.SIGTERM)
        try:
            child.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(child.pid, signal.SIGKILL)
            child.wait()


@contextmanager
def chromium() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
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
