"""Mistakes a user can make get one line naming the problem and the fix, and a non-zero exit."""

from __future__ import annotations

import os
import shutil
import socket
from pathlib import Path

import duckdb
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
    assert_one_line_error(result, "没有区县代码 '999999'", "330102")


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
    result = run_cli(copy_of_demo_home, "rollback", "20000101T000000Z-0000", check=False)
    assert_one_line_error(result, "没有版本 20000101T000000Z-0000", "可用版本")


def test_ingest_of_a_missing_path_names_it(fresh_home: Path):
    missing = fresh_home / "nowhere.csv"
    assert_one_line_error(
        run_cli(fresh_home, "ingest", str(missing), check=False), str(missing), "不存在"
    )


@pytest.mark.parametrize(
    ("args", "fragments"),
    [
        (["export", "diff", "--month", "../../x"], ["--month", "'../../x'", "YYYY-MM"]),
        (["export", "diff", "--month", "2025-06", "--from", "../v1"], ["--from", "'../v1'", "v1"]),
        (["export", "diff", "--month", "2025-06", "--to", "v2/.."], ["--to", "v1"]),
        (["rollback", "../../x"], ["BUILD_ID", "'../../x'", "20250801T120000Z-1a2b"]),
        (["export", "--month", "2025-06", "--district", "../x"], ["--district", "'../x'"]),
        (["export", "--month", "../2025-06"], ["--month", "YYYY-MM"]),
        (["kpi", "--district", "330106' or 1=1"], ["--district", "没有区县代码", "330102"]),
        (["kpi", "--month", "2025-13"], ["--month", "'2025-13'", "01 到 12"]),
        (["kpi", "--month", "2025-06\n../x"], ["--month", "YYYY-MM"]),
        (["export", "--month", "2025-06", "--as-user", "../x"], ["--as-user", "电子邮箱"]),
        (["generate", "--out", "landing", "--start", "2025-6"], ["--start", "YYYY-MM"]),
        # Rich markup in a value is printed as it was typed, not interpreted.
        (["kpi", "--district", "[/red]"], ["'[/red]'", "--district"]),
    ],
)
def test_names_on_the_command_line_are_checked_before_use(fresh_home: Path, args, fragments):
    result = run_cli(fresh_home, *args, check=False)
    assert_one_line_error(result, *fragments)
    assert not (fresh_home / "landing").exists(), "a refused command must not start working"


def test_export_diff_never_reads_outside_exports(fresh_home: Path):
    """Two versions of a look-alike pack outside exports/: `--month ../x` used to compare them."""
    for version, value in (("v1", 1), ("v2", 2)):
        folder = fresh_home / "x" / version
        folder.mkdir(parents=True)
        (folder / "kpis.csv").write_text(
            "kpi_id,kpi_name,area,group_code,platform_code,value\n"
            f"party_orgs,党组织数,全市,,,{value}\n",
            encoding="utf-8-sig",
        )
    result = run_cli(fresh_home, "export", "diff", "--month", "../x", "--json", check=False)
    assert_one_line_error(result, "--month", "'../x'")
    assert result.stdout == ""


def test_a_user_from_the_environment_is_checked_too(fresh_home: Path, monkeypatch):
    monkeypatch.setenv("XIAOGE_USER", "../../x")
    result = run_cli(fresh_home, "export", "--month", "2025-06", check=False)
    assert_one_line_error(result, "--as-user/XIAOGE_USER", "'../../x'")


def test_a_served_file_from_older_models_asks_for_a_build(copy_of_demo_home: Path):
    """A version published before a public model existed (e.g. rolled back to) names the
    missing table and the command that publishes a current one, instead of a database error."""
    served = copy_of_demo_home / "published" / "xiaoge.duckdb"
    replaced = served.with_name("older.duckdb")
    shutil.copyfile(served, replaced)
    with duckdb.connect(str(replaced)) as con:
        con.execute("drop table dim_kpi")
    os.replace(replaced, served)
    result = run_cli(copy_of_demo_home, "kpi", check=False)
    assert_one_line_error(result, "缺少表 dim_kpi", "xiaoge build")
