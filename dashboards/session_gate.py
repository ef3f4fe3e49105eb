"""Nothing fetchable without a session: with a login configured, only the page shell is public.

Streamlit sends what a page shows over its WebSocket, where dashboards/auth.py's gate decides
what a visitor sees. Some things are plain HTTP URLs, though: download buttons and other
media (`/media/...`), the static folder (`/app/static/...`), uploads, custom components, the
agent API. Whoever has such a URL could fetch it, signed in or not. So when a login provider
is configured, `SessionGate` answers 403 to every request except the page shell and what
draws the login (Streamlit's own front-end files, health, the WebSocket, the login routes),
unless the request carries Streamlit's signed login cookie for a user the access file
accepts (the same check as the pages: warehouse.access.check_login). In local mode (no
`[auth]`) everything passes, as before.

`dashboards/serve.py` puts it in front of the app; `xiaoge serve` runs that.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping

from starlette.concurrency import run_in_threadpool
from starlette.requests import HTTPConnection
from starlette.responses import PlainTextResponse
from starlette.types import ASGIApp, Receive, Scope, Send
from starlette.websockets import WebSocketClose

from warehouse.access import Viewer, check_login
from warehouse.config import home

# What a visitor without a session needs to see the login button. Everything here is the same
# for everyone: no figure, no name, no file of ours.
OPEN_PATHS = frozenset(
    {
        "/",
        "/index.html",
        "/favicon.png",
        "/manifest.json",
        "/_stcore/health",
        "/_stcore/host-config",
        "/_stcore/stream",  # the WebSocket: the gate in the app decides what it carries
        "/auth/login",
        "/auth/logout",
        "/oauth2callback",
    }
)
OPEN_PREFIXES = ("/static/",)  # Streamlit's own front-end bundle (scripts, styles, fonts)
# A page URL (`/party`, `/model-docs`) gets the same shell as `/`; the names that are routes
# for files never count as pages.
PAGE = re.compile(r"/[A-Za-z0-9][A-Za-z0-9_-]*/?")
NOT_PAGES = frozenset({"media", "app", "component", "static"})


def is_open(path: str, base: str = "") -> bool:
    """Whether a request path may be answered without a session."""
    if base:
        prefix = "/" + base.strip("/")
        if path != prefix and not path.startswith(prefix + "/"):
            return False
        path = path[len(prefix) :] or "/"
    if any(part in (".", "..") for part in path.split("/")) or "\\" in path:
        return False  # never let a dot segment walk from an open prefix to a closed one
    if path in OPEN_PATHS or path.startswith(OPEN_PREFIXES):
        return True
    return bool(PAGE.fullmatch(path)) and path.strip("/") not in NOT_PAGES


def signed_in_viewer(cookies: Mapping[str, str]) -> Viewer | None:
    """The viewer behind Streamlit's login cookie, if it is genuine and the access file lets
    them in; else None.

    Read as Streamlit reads it for `st.user`: signed with the `[auth]` cookie secret
    (itsdangerous, possibly split into chunks), and issued for this server's origin."""
    from streamlit.auth_util import get_cookie_with_chunks, get_origin_from_redirect_uri
    from streamlit.web.server.server_util import get_cookie_secret
    from streamlit.web.server.starlette.starlette_app_utils import decode_signed_value
    from streamlit.web.server.starlette.starlette_server_config import USER_COOKIE_NAME

    secret = get_cookie_secret()

    def single(name: str) -> bytes | None:
        raw = cookies.get(name)
        # Cookies travel as latin-1: encoding back gives the signed bytes (as Streamlit does).
        return None if raw is None else decode_signed_value(secret, name, raw.encode("latin-1"))

    decoded = get_cookie_with_chunks(single, USER_COOKIE_NAME)
    if decoded is None:
        return None
    try:
        claims = json.loads(decoded)
    except ValueError:
        return None
    if not isinstance(claims, dict) or claims.get("is_logged_in") is not True:
        return None
    if claims.get("origin") != get_origin_from_redirect_uri():
        return None
    return check_login(claims, home()).viewer


def _refused(cookies: Mapping[str, str]) -> bool:
    from dashboards.auth import auth_configured

    return auth_configured() and signed_in_viewer(cookies) is None


class SessionGate:
    """ASGI middleware: 403 for a request that needs a session and has none (see above)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        from streamlit import config

        if scope["type"] not in ("http", "websocket") or is_open(
            scope["path"], config.get_option("server.baseUrlPath") or ""
        ):
            await self.app(scope, receive, send)
            return
        # Reads files (the secrets, the access file): off the event loop.
        if await run_in_threadpool(_refused, dict(HTTPConnection(scope).cookies)):
            if scope["type"] == "websocket":
                await WebSocketClose(code=1008)(scope, receive, send)
            else:
                response = PlainTextResponse(
                    "403 需要登录 (login required)",
                    status_code=403,
                    headers={"Cache-Control": "no-store"},
                )
                await response(scope, receive, send)
            return
        await self.app(scope, receive, send)
