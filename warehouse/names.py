"""What a name given on the command line may look like: months, versions, districts, worker
groups, build ids, users. The one place these patterns live.

These values end up in folder names (exports/<month>/district-<code>/v<N>/), in the access
log and in queries, so anything that is not exactly such a name (a path such as `../../x`,
a quote, a newline) is refused with one line naming the option and the form it takes,
before any command looks at it.
"""

from __future__ import annotations

import re
from functools import cache
from typing import Final

import pandas as pd

from warehouse.config import SEEDS_DIR
from warehouse.errors import UserError

MONTH: Final = re.compile(r"(?P<year>\d{4})-(?P<month>0[1-9]|1[0-2])")
VERSION: Final = re.compile(r"[vV](?P<number>[1-9]\d{0,5})")
# As warehouse.build.new_build_id makes them: UTC time, then four hex digits.
BUILD_ID: Final = re.compile(r"\d{8}T\d{6}Z-[0-9a-f]{4}")
# An e-mail address as the access file lists users; no slash, space or quote can pass.
USER: Final = re.compile(r"[A-Za-z0-9][A-Za-z0-9._%+-]{0,63}@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+")
LONGEST_SHOWN = 40


@cache
def district_codes() -> tuple[str, ...]:
    """The district codes of seeds/districts.csv, in its order."""
    return tuple(pd.read_csv(SEEDS_DIR / "districts.csv", dtype=str)["district_code"])


@cache
def group_codes() -> tuple[str, ...]:
    """The worker-group codes of seeds/worker_groups.csv, in its order."""
    return tuple(pd.read_csv(SEEDS_DIR / "worker_groups.csv", dtype=str)["group_code"])


def _shown(text: str) -> str:
    """The value as the error repeats it: quoted, escaped (a newline in it cannot break the
    one-line error), and cut short."""
    return repr(text[:LONGEST_SHOWN]) + ("…" if len(text) > LONGEST_SHOWN else "")


def month(text: str, field: str = "--month") -> str:
    """'YYYY-MM' naming a real month (2025-06, not 2025-13 or 2025-6)."""
    if not MONTH.fullmatch(text):
        raise UserError(
            f"{field} {_shown(text)} 格式不对:请写成 YYYY-MM(月份 01 到 12),例如 2025-06"
        )
    return text


def version(text: str, field: str = "--from/--to") -> int:
    """'v<N>' -> N."""
    found = VERSION.fullmatch(text)
    if not found:
        raise UserError(f"{field} 版本 {_shown(text)} 格式不对:请写成 v1、v2 ……")
    return int(found["number"])


def district(text: str, field: str = "--district") -> str:
    """A district code from seeds/districts.csv."""
    if text not in district_codes():
        raise UserError(
            f"没有区县代码 {_shown(text)}({field}):请用 {', '.join(district_codes())} 之一"
        )
    return text


def group(text: str, field: str = "--group") -> str:
    """A worker-group code from seeds/worker_groups.csv."""
    if text not in group_codes():
        raise UserError(
            f"没有群体代码 {_shown(text)}({field}):请用 {', '.join(group_codes())} 之一"
        )
    return text


def build_id(text: str, field: str = "BUILD_ID") -> str:
    """A build id as `new_build_id` makes it, e.g. 20250801T120000Z-1a2b."""
    if not BUILD_ID.fullmatch(text):
        raise UserError(
            f"{field} 版本编号 {_shown(text)} 格式不对:应形如 20250801T120000Z-1a2b"
            "(xiaoge status 显示当前版本)"
        )
    return text


def user(text: str, field: str = "--as-user") -> str:
    """A user as the access file names them: an e-mail address."""
    if len(text) > 254 or not USER.fullmatch(text):
        raise UserError(
            f"{field} 用户 {_shown(text)} 格式不对:请写权限文件中的电子邮箱,例如 xihu@hz.gov.cn"
        )
    return text
