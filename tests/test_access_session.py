"""With a login configured nothing is fetchable without a session: not dbt's docs (neither the
old static URL nor the analysts' page), not a download, not any page's data. The same URLs
work for a signed-in analyst, so each refusal is the session's doing, not a broken URL."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import BrowserContext, Page

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
from tests.test_access_login import PAGES

pytestmark = pytest.mark.browser

REPO = Path(__file__).resolve().parents[1]
DISTRICTS = [
    "西湖区",
    "上城区",
    "拱墅区",
    "滨江区",
    "萧山区",
    "余杭区",
    "临平区",
    "钱塘区",
    "富阳区",
]
# What only data carries: district names, a KPI's name and the article's figure for it, and a
# model name from dbt's docs.
DATA_MARKERS = [*DISTRICTS, "党组织数", "50个"]
DOCS_MARKER = "fct_kpi_monthly"
ALL_PAGES = ["", *PAGES, "quality", "model-docs"]
# Routes for files rather than pages; each must refuse a visitor without a session.
FILE_ROUTES = [
    "/app/static/dbt_docs.html",  # where `xiaoge docs` used to put the docs
    "/app/static/index.html",
    "/component/anything/index.html",
    "/_stcore/upload_file/session/file",
    "/_stcore/metrics",
    "/_stcore/agent/openapi.json",
]


def _watch_frames(page: Page) -> list[bytes]:
    """Everything the server sends the page over its WebSocket (what the app script drew)."""
    frames: list[bytes] = []

    def on_socket(socket) -> None:
        socket.on(
            "framereceived",
            lambda payload: frames.append(
                payload if isinstance(payload, bytes) else payload.encode()
            ),
        )

    page.on("websocket", on_socket)
    return frames


def _shows_data(text: str) -> list[str]:
    return [marker for marker in DATA_MARKERS if marker in text]


def _sent_data(frames: list[bytes]) -> list[str]:
    sent = b"".join(frames)
    return [marker for marker in DATA_MARKERS if marker.encode() in sent]


def _download_url(page: Page) -> tuple[str, bytes]:
    """Open the first pack on the reports page and download its kpis.csv: the /media URL the
    server made for this session, and the file's bytes."""
    page.get_by_text("2025-06").first.click()
    wait_until_idle(page)  # the click reruns the script: the button of the rerun is the live one
    button = page.get_by_role("button", name="kpis.csv").first
    with page.expect_download() as started:
        button.click()
    download = started.value
    return download.url, Path(download.path()).read_bytes()


def _fetch(context: BrowserContext, url: str) -> tuple[int, str]:
    """A plain GET with the context's cookies (no page, no script): status and body."""
    response = context.request.get(url, max_redirects=0, fail_on_status_code=False)
    return response.status, response.body().decode("utf-8", errors="replace")


@pytest.mark.timeout(420)
def test_nothing_fetchable_without_a_session(
    copy_of_demo_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, artifacts: Path
):
    home = copy_of_demo_home
    run_cli(home, "docs")  # dbt's real docs site, so there is something to leak
    assert DOCS_MARKER in (home / "build" / "docs" / "index.html").read_text(encoding="utf-8")
    assert not (REPO / "dashboards" / "static").exists(), "build_docs writes into the UI package"
    access = tmp_path / "access.yml"
    access.write_text(
        "users:\n  analyst@hz.example: analyst\n  leader@hz.example: city\n", encoding="utf-8"
    )
    monkeypatch.setenv("XIAOGE_ACCESS_FILE", str(access))

    with oidc_provider() as issuer:
        provider_user(issuer, "u-analyst", {"email": "analyst@hz.example", "email_verified": True})
        provider_user(issuer, "u-leader", {"email": "leader@hz.example", "email_verified": True})
        # A genuine login whose e-mail the provider has not verified: Streamlit signs its
        # cookie all the same, so the gate must check the person, not only the signature.
        provider_user(issuer, "u-mallory", {"email": "analyst@hz.example", "email_verified": False})
        secrets = auth_secrets(tmp_path / "secrets.toml", issuer)
        with serving(home, "serve", "--secrets", str(secrets)) as url, chromium() as browser:
            # The analyst: a download on the reports page, the model docs inside the app.
            analyst = browser.new_context(accept_downloads=True)
            page = analyst.new_page()
            frames = _watch_frames(page)
            login(page, url, "u-analyst")
            assert _sent_data(frames), "the signed-in session's WebSocket carries the data"
            page.goto(f"{url}/reports")
            wait_until_idle(page)
            media, content = _download_url(page)
            assert "/media/" in media and "西湖区" in content.decode("utf-8-sig")
            assert _fetch(analyst, media) == (200, content.decode("utf-8"))  # BOM and all

            page.goto(f"{url}/model-docs?model={DOCS_MARKER}")
            wait_until_idle(page)
            docs = page.frame_locator("iframe[title='模型文档']")
            docs.get_by_text(DOCS_MARKER).first.wait_for(timeout=90_000)
            page.screenshot(path=str(artifacts / "access-analyst-model-docs.png"))

            # Nobody signed in: every file route refused, every page only the login.
            anonymous = browser.new_context()
            status, body = _fetch(anonymous, media)
            assert status == 403 and "西湖区" not in body, (status, body[:200])
            for route in FILE_ROUTES:
                status, body = _fetch(anonymous, url + route)
                assert status == 403 and DOCS_MARKER not in body, (route, status)
            visitor = anonymous.new_page()
            visitor_frames = _watch_frames(visitor)
            for name in ALL_PAGES:
                status, shell = _fetch(anonymous, f"{url}/{name}")
                assert status == 200 and not _shows_data(shell), name
                visitor.goto(f"{url}/{name}")
                visitor.get_by_role("button", name="登录").wait_for(timeout=90_000)
                wait_until_idle(visitor)
                text = visitor.locator("body").inner_text()
                assert visitor.locator('[data-testid="stMetric"]').count() == 0, name
                assert visitor.locator("iframe").count() == 0, name
                assert not _shows_data(text) and DOCS_MARKER not in text, name
            assert visitor_frames, "the visitor's pages ran over the WebSocket"
            assert not _sent_data(visitor_frames)
            assert not any(DOCS_MARKER.encode() in frame for frame in visitor_frames)

            # A signed cookie for a person the access rules refuse opens nothing either.
            mallory = browser.new_context()
            refused = mallory.new_page()
            login(refused, url, "u-mallory", then='[data-testid="stAlertContentError"]')
            assert any(c["name"] == "_streamlit_user" for c in mallory.cookies())
            assert _fetch(mallory, media)[0] == 403
            # Nor does a cookie someone wrote by hand.
            anonymous.add_cookies(
                [{"name": "_streamlit_user", "value": '{"is_logged_in": true}', "url": url}]
            )
            assert _fetch(anonymous, media)[0] == 403

            # The city leader is signed in, but dbt's docs are the analysts' only.
            leader = browser.new_context()
            city = leader.new_page()
            login(city, url, "u-leader")
            city.goto(f"{url}/model-docs")
            wait_until_idle(city)
            assert city.locator("iframe").count() == 0
            assert DOCS_MARKER not in city.locator("body").inner_text()
            assert _fetch(analyst, media)[0] == 200, "the analyst's download still works"
