"""Who may see what: roles from the operator's access file, the scoped query, the access log.

The access file (`$XIAOGE_HOME/access.yml`, or the path in `XIAOGE_ACCESS_FILE`) maps a
user's verified e-mail address to a role:

    users:
      leader@hz.gov.cn: city
      xihu@hz.gov.cn: district:330106
      analyst@hz.gov.cn: analyst

`city` sees everything; `district:<code>` sees its own district only; `analyst` sees
everything plus the data-quality page and the model docs. A user who is not listed has no
access. A login counts only with an `email` claim whose `email_verified` is true, unless the
file names another claim (`identity_claim: preferred_username`); there is no fallback to the
subject or any other claim. Every refused login is written to the access log.

`scoped_query` is the one way the dashboards and exports read the published warehouse (whose
person counts were protected when it was published, warehouse/disclosure) and, for a
district role, replaces every table
with a `district_code` column by that district's rows, bound as a parameter, before the
query runs, so a query that forgets the district still cannot see another one.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd

from warehouse import strict_json
from warehouse.config import SEEDS_DIR, Home
from warehouse.errors import UserError
from warehouse.published import read_only

ACCESS_FILE_ENV = "XIAOGE_ACCESS_FILE"
DEMO_ROLE_ENV = "XIAOGE_DEMO_ROLE"
ROLES = ("city", "analyst", "district:<code>")
# The claim a login is known by unless the access file names another: only with a true
# `email_verified`, since many providers let a user type any address into their profile.
EMAIL_CLAIM = "email"
CLAIM_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_.:-]*")
# Why a login was refused, as written to the access log.
REFUSALS = ("no_email", "email_unverified", "no_identity_claim", "not_listed", "access_file_broken")


@dataclass(frozen=True)
class Role:
    """`city`, `analyst` or `district` (with its district code)."""

    kind: str
    district_code: str | None = None

    @property
    def sees_quality(self) -> bool:
        return self.kind == "analyst"

    @property
    def sees_model_docs(self) -> bool:
        """dbt's docs describe every model and column: analysts' reading, not a leader's."""
        return self.kind == "analyst"

    def __str__(self) -> str:
        return f"district:{self.district_code}" if self.kind == "district" else self.kind


@dataclass(frozen=True)
class Viewer:
    """A signed-in user (or the demo's local mode) and their role."""

    user: str
    role: Role
    local: bool = False

    @property
    def district_code(self) -> str | None:
        return self.role.district_code


@dataclass(frozen=True)
class AccessFile:
    """The operator's access file: users (keys lower-cased) and the claim they are known by."""

    users: dict[str, Role] = field(default_factory=dict)
    identity_claim: str = EMAIL_CLAIM


@dataclass(frozen=True)
class Login:
    """What a login's claims came to: a viewer, or the reason it was refused."""

    viewer: Viewer | None
    refusal: str | None = None  # one of REFUSALS
    claimed: dict[str, str] = field(default_factory=dict)  # as the provider sent them
    detail: str = ""  # the access file's error, when it is broken

    @property
    def shown_as(self) -> str:
        """The name to show a refused user: what they claimed to be."""
        return next(iter(self.claimed.values()), "?")


def local_viewer() -> Viewer:
    """The demo's viewer when no login is configured: `city`, or the role in XIAOGE_DEMO_ROLE.

    Not `analyst`: the demo is what a leader sees, and the analyst's pages (data quality,
    model docs) are only for someone who asks for them by name."""
    text = os.environ.get(DEMO_ROLE_ENV, "").strip()
    try:
        role = parse_role(text) if text else Role("city")
    except UserError as error:
        raise UserError(f"环境变量 {DEMO_ROLE_ENV}:{error}") from None
    return Viewer("local-mode", role, local=True)


def access_file(home: Home) -> Path:
    return Path(os.environ.get(ACCESS_FILE_ENV) or home.root / "access.yml").expanduser()


def _district_codes() -> set[str]:
    return set(pd.read_csv(SEEDS_DIR / "districts.csv", dtype=str)["district_code"])


def parse_role(text: str) -> Role:
    """'city' | 'analyst' | 'district:<code>' -> Role, or a one-line error."""
    value = str(text).strip()
    if value in ("city", "analyst"):
        return Role(value)
    if value.startswith("district:"):
        code = value.removeprefix("district:").strip()
        if code in _district_codes():
            return Role("district", code)
        raise UserError(f"角色 {value!r} 中的区县代码 {code} 不存在")
    raise UserError(f"角色 {value!r} 无效:请用 {'、'.join(ROLES)}")


def load_access(path: Path) -> AccessFile:
    """The access file; no file means nobody has a role. A broken file is a one-line error."""
    import yaml

    if not path.exists():
        return AccessFile()
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        detail = str(exc).replace("\n", " ")
        raise UserError(f"权限文件 {path} 无法读取或不是有效的 YAML:{detail}") from None
    users = data.get("users") if isinstance(data, dict) else None
    if not isinstance(users, dict):
        raise UserError(f"权限文件 {path} 需要一个 users: 映射(用户 -> 角色)")
    claim = data.get("identity_claim", EMAIL_CLAIM)
    if not isinstance(claim, str) or not CLAIM_NAME.fullmatch(claim):
        raise UserError(
            f"权限文件 {path} 的 identity_claim {claim!r} 无效:请写一个声明名,如 preferred_username"
        )
    return AccessFile(
        {str(user).strip().lower(): parse_role(role) for user, role in users.items()}, claim
    )


def load_roles(path: Path) -> dict[str, Role]:
    """The access file's users (keys lower-cased); no file means nobody has a role."""
    return load_access(path).users


def _verified(value: object) -> bool:
    # Only a real true, or the string "true" some providers send; never 1, "yes" or "True ".
    return value is True or value == "true"


def _text(value: object) -> str | None:
    """A claim's text, or None when it is absent, empty or not a string."""
    if not isinstance(value, str):
        return None
    return value.strip() or None


def check_login(claims: Mapping[str, object], home: Home) -> Login:
    """Accept a login only by its verified e-mail, or by the claim the access file names.

    No fallback: a login without a verified `email` is refused even when its subject (which
    some providers let the user choose) equals a listed address."""
    claimed = {
        name: text for name in ("email", "sub") if (text := _text(claims.get(name))) is not None
    }
    try:
        access = load_access(access_file(home))
    except UserError as error:
        return Login(None, "access_file_broken", claimed, str(error))
    if access.identity_claim == EMAIL_CLAIM:
        user = claimed.get("email")
        if user is None:
            return Login(None, "no_email", claimed)
        if not _verified(claims.get("email_verified")):
            return Login(None, "email_unverified", claimed)
    else:
        user = _text(claims.get(access.identity_claim))
        if user is None:
            return Login(None, "no_identity_claim", claimed, access.identity_claim)
        claimed = {access.identity_claim: user, **claimed}
    role = access.users.get(user.lower())
    if role is None:
        return Login(None, "not_listed", claimed)
    return Login(Viewer(user, role), claimed=claimed)


def viewer_for(user: str, home: Home) -> Viewer:
    """A named user's viewer (for `xiaoge export --as-user`), or a one-line error.

    The operator names the user, so this is a plain lookup in the access file: no claims."""
    claimed = {"as_user": user}
    try:
        access = load_access(access_file(home))
    except UserError as error:
        log_refusal(home, Login(None, "access_file_broken", claimed, str(error)), "export")
        raise
    role = access.users.get(user.strip().lower())
    if role is None:
        log_refusal(home, Login(None, "not_listed", claimed), "export")
        raise UserError(f"用户 {user} 不在权限文件 {access_file(home)} 中,没有访问权限")
    return Viewer(user, role)


# --- the scoped, protected query --------------------------------------------------------------


def _tables_with_district(con) -> list[str]:
    return [
        row[0]
        for row in con.execute(
            "select distinct table_name from information_schema.columns "
            "where column_name = 'district_code' and table_schema = 'main' "
            "and table_catalog = current_database()"
        ).fetchall()
    ]


def scoped_query(
    home: Home, sql: str, params: list | None = None, district_code: str | None = None
) -> pd.DataFrame:
    """Run a parameterised query on the served file (whose person counts are protected at
    publish) and, for a district, over that district's rows only."""
    lowered = sql.lower()
    with read_only(home) as con:
        if district_code is not None:
            for table in _tables_with_district(con):
                if not re.search(rf"\b{table}\b", lowered):
                    continue
                # Names come from the catalogue, never from a user; the value is bound.
                con.execute(
                    f'create temp table "{table}" as '
                    f'select * from "{con_database(con)}".main."{table}" '
                    "where district_code = ?::varchar",
                    [district_code],
                )
        return con.execute(sql, params or []).df()


def con_database(con) -> str:
    return con.execute("select current_database()").fetchone()[0]


# --- the access log ---------------------------------------------------------------------------


def access_log(home: Home) -> Path:
    return home.root / "logs" / "access.jsonl"


def _append(home: Home, record: dict) -> None:
    path = access_log(home)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a", encoding="utf-8") as out:
        out.write(strict_json.dumps(record) + "\n")


def log_access(home: Home, viewer: Viewer, action: str, target: str, scope: dict) -> None:
    """Append who did what with which scope to logs/access.jsonl (outside the warehouse file)."""
    _append(
        home,
        {
            "at": datetime.now(UTC).isoformat(timespec="seconds"),
            "user": viewer.user,
            "role": str(viewer.role),
            "local_mode": viewer.local,
            "action": action,
            "target": target,
            "scope": {k: v for k, v in scope.items() if v is not None},
        },
    )


def log_refusal(home: Home, login: Login, target: str) -> None:
    """Append a refused login (or `--as-user`) to the access log: what was claimed, and why.

    `user` stays empty: a refused claim is not that user, and must not read as their visit."""
    _append(
        home,
        {
            "at": datetime.now(UTC).isoformat(timespec="seconds"),
            "user": None,
            "role": None,
            "local_mode": False,
            "action": "refused",
            "target": target,
            "scope": {},
            "reason": login.refusal,
            "claimed": login.claimed,
            **({"detail": login.detail} if login.detail else {}),
        },
    )
