"""Files on disk: everything under XIAOGE_HOME is the owner's only (folders 0700, files 0600),
or one named group's with XIAOGE_HOME_GROUP (folders 2750, files 0640); the key file is 0600."""

from __future__ import annotations

import grp
import os
import stat
from pathlib import Path

import pytest

from tests.conftest import run_cli
from tests.test_cli_errors import assert_one_line_error
from warehouse import pii


def _entries(root: Path) -> list[tuple[Path, os.stat_result]]:
    """The root and every path below it, with its own (not a link target's) status."""
    return [(path, path.lstat()) for path in [root, *root.rglob("*")]]


def test_demo_home_is_private_to_its_owner(demo_home: Path):
    entries = _entries(demo_home)
    assert len(entries) > 1000, "the walk must see the whole demo home"
    open_to_others = [
        f"{path.relative_to(demo_home)} {stat.S_IMODE(status.st_mode):04o}"
        for path, status in entries
        if not stat.S_ISLNK(status.st_mode) and stat.S_IMODE(status.st_mode) & 0o077
    ]
    assert open_to_others == [], open_to_others[:10]
    folders = [s for _p, s in entries if stat.S_ISDIR(s.st_mode)]
    assert {stat.S_IMODE(s.st_mode) for s in folders} == {0o700}


def test_the_demo_key_file_is_owner_only(demo_home: Path):
    assert stat.S_IMODE(pii.key_file().stat().st_mode) == 0o600


def test_a_key_file_written_by_hand_is_made_owner_only(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    key = tmp_path / "pii.key"
    key.write_text("k" * 32 + "\n", encoding="utf-8")
    key.chmod(0o644)
    monkeypatch.delenv(pii.KEY_ENV, raising=False)
    monkeypatch.setenv(pii.KEY_FILE_ENV, str(key))
    assert pii.load_key() == b"k" * 32
    assert stat.S_IMODE(key.stat().st_mode) == 0o600


def _a_group_to_share_with() -> grp.struct_group:
    """A group this user may give files to, other than their own primary group when possible
    (so the test sees the group change): any group for root, else one the user is in."""
    allowed = (
        grp.getgrall()
        if os.geteuid() == 0
        else [grp.getgrgid(gid) for gid in {os.getegid(), *os.getgroups()}]
    )
    others = sorted((g for g in allowed if g.gr_gid != os.getegid()), key=lambda g: g.gr_gid)
    return (others or allowed)[0]


def test_home_group_setting_opens_the_home_to_that_group(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    group = _a_group_to_share_with()
    monkeypatch.setenv("XIAOGE_HOME_GROUP", group.gr_name)
    monkeypatch.setenv(pii.KEY_ENV, "a-test-key-of-32-characters-----")
    home = tmp_path / "shared-home"  # made by the first command, not by the test
    run_cli(
        home, "generate", "--out", str(home / "landing"), "--start", "2023-01", "--end", "2023-06"
    )
    run_cli(home, "ingest")
    entries = [(p, s) for p, s in _entries(home) if not stat.S_ISLNK(s.st_mode)]
    assert any(p.suffix == ".parquet" for p, _s in entries), "ingest wrote the raw zone"
    wrong = [
        f"{path.relative_to(home)} {stat.S_IMODE(status.st_mode):04o} gid {status.st_gid}"
        for path, status in entries
        if status.st_gid != group.gr_gid
        or stat.S_IMODE(status.st_mode) != (0o2750 if stat.S_ISDIR(status.st_mode) else 0o640)
    ]
    assert wrong == [], wrong[:10]


def test_an_unknown_home_group_is_refused_in_one_line(
    fresh_home: Path, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setenv("XIAOGE_HOME_GROUP", "no-such-group-xiaoge")
    result = run_cli(fresh_home, "status", check=False)
    assert_one_line_error(result, "XIAOGE_HOME_GROUP=no-such-group-xiaoge", "组")
