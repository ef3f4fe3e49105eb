"""`xiaoge demo` serves a dashboard that shows 13 and 50 organisations, seen in headless Chromium."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlparse

import pytest

from tests.browser_support import chromium, serving

pytestmark = pytest.mark.browser


def test_demo_serves_the_party_organisation_figures(fresh_home: Path, artifacts: Path):
    with serving(fresh_home, "demo") as url, chromium() as browser:
        page = browser.new_page(viewport={"width": 1400, "height": 1100}, locale="zh-CN")
        hosts: set[str] = set()
        page.on("request", lambda request: hosts.add(urlparse(request.url).netloc))
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.goto(url)
        card = page.locator("[data-testid='stMetric']").filter(has_text="党组织数")
        card.locator("[data-testid='stMetricValue']").wait_for(timeout=30_000)
        page.locator(".js-plotly-plot .textpoint").first.wait_for(timeout=30_000)
        page.screenshot(path=str(artifacts / "demo-overview.png"), full_page=True)

        assert card.locator("[data-testid='stMetricValue']").inner_text() == "50个"
        chart_labels = [
            label.text_content() for label in page.locator(".js-plotly-plot .textpoint").all()
        ]
        assert chart_labels == ["13", "50"]
        assert page.locator("[data-testid='stException']").count() == 0
        assert errors == []
        assert hosts == {urlparse(url).netloc}, f"the page reached other hosts: {hosts}"
