"""Mistakes a user can make get one line naming the problem and the fix, and a non-zero exit."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from tests.conftest import run_cli


def assert_one_line_error(result, *fragments: str) -> None:
    assert result.returncode != 0
    assert "Traceback" not in result.stderr + result.stdout
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    for fragment in fragments:
        assert fragment in lines[0], lines[0]


@pytest.mark.parametrize(
    ("args", "fragments"),
    [
        (["kpi", "--json"], ["还没有已发布的数据", "xiaoge demo"]),
        (["kpi", "--month", "2025-06"], ["还没有已发布的数据"]),
        (["export", "--month", "2025-06"], ["还没有已发布的数据"]),
        (["build"], ["原始区还没有数据", "xiaoge ingest"]),
        (["rollback"], ["没有更早的已发布版本"]),
    ],
)
def test_commands_on_an_empty_home_explain_what_to_run_first(fresh_home: Path, args, fragments):
    assert_one_line_error(run_cli(fresh_home, *args, check=False), *fragments)


def test_unknown_month_names_the_months_that_exist(demo_home: Path):
    result = run_cli(demo_home, "kpi", "--month", "2031-01", "--json", check=False)
    assert_one_line_error(result, "没有 2031-01 的数据", "2023-01 至 2025-06")
    assert result.stdout == ""


def test_malformed_month_says_the_expected_format(demo_home: Path):
    result = run_cli(demo_home, "kpi", "--month", "June", check=False)
    assert_one_line_error(result, "'June'", "YYYY-MM")


def test_unknown_district_lists_the_codes(demo_home: Path):
    result = run_cli(demo_home, "kpi", "--district", "999999", check=False)
    assert_one_line_error(result, "没有区县代码 999999", "330102")


def test_export_of_an_unknown_month_is_refused(demo_home: Path):
    result = run_cli(demo_home, "export", "--month", "2019-12", check=False)
    assert_one_line_error(result, "没有 2019-12 的数据")


def test_port_in_use_is_reported_before_anything_runs(fresh_home: Path):
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        port = holder.getsockname()[1]
        result = run_cli(fresh_home, "serve", "--port", str(port), check=False, timeout=60)
        assert_one_line_error(result, f"端口 {port} 已被占用", "--port")
        demo = run_cli(fresh_home, "demo", "--port", str(port), check=False, timeout=60)
        assert_one_line_error(demo, f"端口 {port} 已被占用")
    assert not (fresh_home / "landing" / "organisation").exists(), (
        "demo generated data before failing"
    )


def test_unwritable_home_is_named(tmp_path: Path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    result = run_cli(blocker / "home", "demo", "--no-serve", check=False)
    assert_one_line_error(result, "XIAOGE_HOME", str(blocker / "home"), "不可写")


def test_bad_scale_is_refused(fresh_home: Path):
    assert_one_line_error(
        run_cli(fresh_home, "demo", "--scale", "huge", "--no-serve", check=False), "small 或 city"
    )


def test_rollback_to_an_unknown_version_lists_the_versions(
    demo_home: Path, copy_of_demo_home: Path
):
    result = run_cli(copy_of_demo_home, "rollback", "no-such-build", check=False)
    assert_one_line_error(result, "没有版本 no-such-build")


def test_ingest_of_a_missing_path_names_it(fresh_home: Path):
    missing = fresh_home / "nowhere.csv"
    assert_one_line_error(
        run_cli(fresh_home, "ingest", str(missing), check=False), str(missing), "不存在"
    )
