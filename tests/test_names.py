"""The patterns a name on the command line must match (months, versions, districts, build ids,
users): names pass, paths and other text are refused with one line naming the option."""

from __future__ import annotations

import pytest

from warehouse import names
from warehouse.build import new_build_id
from warehouse.errors import UserError


@pytest.mark.parametrize("text", ["2025-06", "2023-01", "1999-12"])
def test_real_months_pass(text: str):
    assert names.month(text) == text


@pytest.mark.parametrize(
    "text", ["2025-13", "2025-00", "2025-6", "25-06", "../../x", "2025-06/..", " 2025-06", ""]
)
def test_anything_else_is_not_a_month(text: str):
    with pytest.raises(UserError, match=r"--month .*YYYY-MM"):
        names.month(text)


def test_versions_are_v_and_a_number():
    assert names.version("v1") == 1
    assert names.version("V12") == 12
    for text in ("1", "v0", "v1/..", "../v1", "v-1", "v"):
        with pytest.raises(UserError, match="v1、v2"):
            names.version(text, "--from")


def test_districts_come_from_the_seed():
    assert names.district("330106") == "330106"
    assert len(names.district_codes()) == 13
    for text in ("999999", "../x", "330106' or 1=1", "330106 "):
        with pytest.raises(UserError, match=r"没有区县代码.*330102"):
            names.district(text)


def test_build_ids_are_what_new_build_id_makes():
    made = new_build_id()
    assert names.build_id(made) == made
    for text in ("no-such-build", "../../x", made + "/..", made[:-4] + "ABCD"):
        with pytest.raises(UserError, match="20250801T120000Z-1a2b"):
            names.build_id(text)


def test_users_are_email_addresses():
    assert names.user("xihu@hz.example") == "xihu@hz.example"
    for text in ("../x", "xihu", "a b@hz.example", "x@hz.example/../y", "x'@hz.example"):
        with pytest.raises(UserError, match="电子邮箱"):
            names.user(text)


def test_a_refused_value_is_shown_on_one_line():
    with pytest.raises(UserError) as refused:
        names.month("2025-06\n" + "x" * 100)
    assert "\n" not in str(refused.value) and "…" in str(refused.value)
