"""Every page in headless Chromium, in Chinese and English: no error, the key figures, no outside host."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlparse

import pytest

from tests.browser_support import chromium, serving, wait_until_idle, watched_page
from tests.test_dashboard_pages import ALL_PAGES

pytestmark = pytest.mark.browser

# The article's figures, where a leader looks for them.
KEY_FIGURES = {
    "overview": ["50个", "3,025个"],
    "party": ["50个"],
    "service": ["3,025个", "2,537个", "770个"],
}
KEY_FIGURES_EN = {"overview": ["50", "3,025"], "service": ["3,025", "2,537", "770"]}


def test_every_page_in_both_languages(
    demo_home: Path, artifacts: Path, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setenv("XIAOGE_DEMO_ROLE", "analyst")  # local mode with the quality page
    with serving(demo_home, "serve") as url, chromium() as browser:
        page, hosts, errors = watched_page(
            browser, viewport={"width": 1440, "height": 1000}, locale="zh-CN"
        )
        for language in ("zh", "en"):
            # One session per language: the language is chosen once and kept while the
            # reader moves through the pages by the navigation (the big screen, which hides
            # the sidebar, comes last).
            page.goto(url)
            wait_until_idle(page)
            if language == "en":
                page.locator("[data-testid='stSidebar'] label").filter(has_text="English").click()
                wait_until_idle(page)
            for name in ALL_PAGES:
                if name != "overview":
                    page.locator(f"[data-testid='stSidebarNav'] a[href$='/{name}']").click()
                    wait_until_idle(page)
                page.screenshot(path=str(artifacts / f"page-{name}-{language}.png"))
                assert page.locator("[data-testid='stException']").count() == 0, (
                    f"{name} ({language})"
                )
                assert page.locator("[data-testid='stAlertContentError']").count() == 0, (
                    f"{name} ({language})"
                )
                figures = (KEY_FIGURES if language == "zh" else KEY_FIGURES_EN).get(name, [])
                shown = page.locator("[data-testid='stMetricValue']").all_inner_texts()
                for figure in figures:
                    assert figure in shown, f"{figure} missing on {name} ({language}): {shown}"
        assert errors == []
        assert hosts == {urlparse(url).netloc}, f"the app reached other hosts: {hosts}"
