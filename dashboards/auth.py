"""Who is looking: OIDC login through `st.login`, or the demo's local mode.

Local mode (no login, the `city` role or XIAOGE_DEMO_ROLE's, a banner on every page) is on
only when no secrets file has an `[auth]` section. There is no switch to turn it on: once a
provider is configured, every visitor must log in with a verified e-mail (or the claim the
access file names), and only users listed in the access file get in. A secrets file that
exists but cannot be read locks the app rather than opening it. Each refused login is
written to the access log once per session (warehouse.access.check_login says why).
"""

from __future__ import annotations

import tomllib
from pathlib import Path

import streamlit as st

from dashboards.i18n import t
from warehouse.access import Login, Viewer, check_login, local_viewer, log_refusal
from warehouse.config import home
from warehouse.errors import UserError


class AccessDenied(RuntimeError):
    """Raised by the data module when nobody with a role is signed in."""


def _secrets_files() -> list[Path]:
    from streamlit import config

    return [Path(entry) for entry in config.get_option("secrets.files") or []]


def auth_configured() -> bool:
    """Whether a login provider is configured (an `[auth]` section in any secrets file)."""
    for path in _secrets_files():
        if path.is_file():
            try:
                parsed = tomllib.loads(path.read_text(encoding="utf-8"))
            except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
                return True  # fail closed: an unreadable secrets file never means "no login"
            if "auth" in parsed:
                return True
    try:
        return "auth" in st.secrets
    except Exception:  # no secrets at all
        return False


def viewer() -> Viewer | None:
    """The signed-in user with a role, local mode's viewer, or None (no access)."""
    if not auth_configured():
        try:
            return local_viewer()
        except UserError:
            return None  # a bad XIAOGE_DEMO_ROLE grants nothing; gate() says why
    if not st.user.is_logged_in:
        return None
    return check_login(st.user.to_dict(), home()).viewer


def require_viewer() -> Viewer:
    """For the data module: the viewer, or AccessDenied. No query runs without one."""
    found = viewer()
    if found is None:
        raise AccessDenied("no signed-in user with a role")
    return found


def _refuse(login: Login) -> None:
    """Log the refusal (once per session, not on every rerun), say why, and stop."""
    logged = (login.refusal, tuple(login.claimed.items()))
    if st.session_state.get("_refusal_logged") != logged:
        st.session_state["_refusal_logged"] = logged
        log_refusal(home(), login, "login")
    st.title(t("app_title"))
    if login.refusal == "access_file_broken":
        st.error(t("access_file_broken", error=login.detail))
    elif login.refusal == "not_listed":
        st.error(t("no_access", user=login.shown_as))
    else:  # no_email, email_unverified, no_identity_claim
        st.error(t(f"refused_{login.refusal}", user=login.shown_as, claim=login.detail))
    st.button(t("logout"), on_click=st.logout, key="logout")
    st.stop()


def gate() -> Viewer:
    """Draw the login page or the no-access message and stop, or return the viewer."""
    if not auth_configured():
        try:
            local = local_viewer()
        except UserError as error:
            st.error(str(error))
            st.stop()
        st.warning(t("local_mode_banner", role=str(local.role)))
        return local
    if not st.user.is_logged_in:
        st.title(t("app_title"))
        st.info(t("login_needed"))
        st.button(t("login"), on_click=st.login, type="primary", key="login")
        st.stop()
    login = check_login(st.user.to_dict(), home())
    if login.viewer is None:
        _refuse(login)
    signed_in = login.viewer
    st.sidebar.caption(t("signed_in_as", user=signed_in.user, role=str(signed_in.role)))
    st.sidebar.button(t("logout"), on_click=st.logout, key="logout")
    return signed_in
