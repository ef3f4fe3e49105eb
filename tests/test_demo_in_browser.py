"""`xiaoge demo` serves a dashboard that shows 13 and 50 organisations, seen in headless Chromium."""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import urlparse

import pytest

from tests.browser_support import chromium, serving, watched_page
from tests.conftest import run_cli

pytestmark = pytest.mark.browser


def test_demo_again_rebuilds_cleanly_and_serves_13_and_50(copy_of_demo_home: Path, artifacts: Path):
    # `xiaoge demo` on a home that has run it before (the session's demo home was the first
    # run): regenerates, loads nothing twice, rebuilds, publishes, exports and serves.
    home = copy_of_demo_home
    before = json.loads(run_cli(home, "status", "--json").stdout)
    earlier_logs = set(home.glob("serve-*.log"))  # copied with the home from other tests
    with serving(home, "demo") as url, chromium() as browser:
        page, hosts, errors = watched_page(
            browser, viewport={"width": 1400, "height": 1100}, locale="zh-CN"
        )
        page.goto(url)
        card = page.locator("[data-testid='stMetric']").filter(has_text="党组织数")
        card.locator("[data-testid='stMetricValue']").wait_for(timeout=90_000)
        chart = page.locator(".js-plotly-plot").filter(has_text="党组织数(按月)")
        chart.locator(".textpoint").first.wait_for(timeout=90_000)
        page.screenshot(path=str(artifacts / "demo-overview.png"), full_page=True)

        assert card.locator("[data-testid='stMetricValue']").inner_text() == "50个"
        assert [label.text_content() for label in chart.locator(".textpoint").all()] == ["13", "50"]
        assert page.locator("[data-testid='stException']").count() == 0
        assert errors == []
        assert hosts == {urlparse(url).netloc}, f"the page reached other hosts: {hosts}"
    [log_file] = set(home.glob("serve-*.log")) - earlier_logs
    log = log_file.read_text(encoding="utf-8")
    landed = [
        p for p in (home / "landing").rglob("*") if p.is_file() and not p.name.startswith("_")
    ]
    assert f"跳过 {len(landed)} 个已导入文件" in log
    after = json.loads(run_cli(home, "status", "--json").stdout)
    assert after["sources"] == before["sources"], "nothing may be loaded twice"
    assert after["published"]["build_id"] != before["published"]["build_id"]
    assert "没有变化" in log, "the unchanged month must not get a new export version"
    assert not (home / "exports" / "2025-06" / "v2").exists()
