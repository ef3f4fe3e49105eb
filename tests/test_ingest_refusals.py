"""Broken deliveries: each refused with one line naming the file, the problem and the fix, and
nothing already loaded is touched; bad cells inside a good file go to quarantine."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pandas as pd
import pytest

from tests.conftest import run_cli
from warehouse.generate import generate

MONTH = "2025-06"


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Landing files as the demo generator writes them (the source of good files to break)."""
    out = tmp_path_factory.mktemp("generated")
    generate(out)
    return out


@pytest.fixture
def loaded_home(fresh_home: Path, generated: Path) -> Path:
    """A home with one month's party-organisation registry loaded."""
    target = fresh_home / "landing" / "organisation" / MONTH
    target.mkdir(parents=True)
    shutil.copy(generated / "organisation" / MONTH / "party_orgs.csv", target)
    run_cli(fresh_home, "ingest")
    return fresh_home


def snapshot(home: Path) -> dict[str, str]:
    """Every file of the raw zone (parts, quarantine, ledger) and its checksum."""
    return {
        p.relative_to(home).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted((home / "raw").rglob("*"))
        if p.is_file()
    }


def registry(generated: Path) -> pd.DataFrame:
    path = generated / "organisation" / MONTH / "party_orgs.csv"
    return pd.read_csv(path, encoding="gbk", dtype=str, keep_default_na=False)


def write_registry(path: Path, frame: pd.DataFrame) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    frame.to_csv(path, index=False, encoding="gbk")
    return path


def _broken_files(home: Path, generated: Path) -> list[tuple[Path, str]]:
    """(file, what the refusal must say) for every kind of refused file."""
    landing = home / "landing"
    good = registry(generated)
    month_dir = landing / "organisation" / MONTH
    cases = []
    unknown = month_dir / "members_list.csv"
    shutil.copy(generated / "organisation" / MONTH / "party_orgs.csv", _mkdir(unknown))
    cases.append((unknown, "未知文件 members_list.csv"))
    foreign = landing / "hr_system" / MONTH / "party_orgs.csv"
    shutil.copy(generated / "organisation" / MONTH / "party_orgs.csv", _mkdir(foreign))
    cases.append((foreign, "未知的来源系统 hr_system"))
    badmonth = landing / "organisation" / "2025-13" / "party_orgs.csv"
    shutil.copy(generated / "organisation" / MONTH / "party_orgs.csv", _mkdir(badmonth))
    cases.append((badmonth, "不是 YYYY-MM"))
    cases.append(
        (
            write_registry(month_dir / "party_orgs.csv", good.drop(columns=["组织名称"])),
            "缺少列 组织名称",
        )
    )
    renamed = good.rename(columns={"成立日期": "成立时间"})
    cases.append(
        (
            write_registry(landing / "organisation" / "2025-05" / "party_orgs.csv", renamed),
            "多出列 成立时间",
        )
    )
    undecodable = landing / "organisation" / "2025-04" / "party_orgs.csv"
    _mkdir(undecodable).write_bytes("组织编码,组织名称\n".encode("gbk") + b"\xff\xfe\x80\x80\n")
    cases.append((undecodable, "无法识别文本编码"))
    empty = landing / "organisation" / "2025-03" / "party_orgs.csv"
    _mkdir(empty).write_bytes(b"")
    cases.append((empty, "文件为空"))
    header_only = write_registry(
        landing / "organisation" / "2025-02" / "party_orgs.csv", good.iloc[0:0]
    )
    cases.append((header_only, "只有表头"))
    broken_quote = landing / "organisation" / "2025-01" / "party_orgs.csv"
    text = (generated / "organisation" / MONTH / "party_orgs.csv").read_text(encoding="gbk")
    lines = text.splitlines()
    lines[2] = lines[2].replace(",", ',"', 1)  # a quote opened and never closed
    _mkdir(broken_quote).write_text("\n".join(lines), encoding="gbk")
    cases.append((broken_quote, "CSV 格式错误"))
    xlsx = next((generated / "platform" / MONTH).glob("*.xlsx"))
    truncated = landing / "platform" / MONTH / xlsx.name
    _mkdir(truncated).write_bytes(xlsx.read_bytes()[: xlsx.stat().st_size // 2])
    cases.append((truncated, "XLSX 文件已损坏或不完整"))
    meetings = generated / "organisation" / "2025-05" / "roundtables.csv"
    misfiled = landing / "organisation" / MONTH / "roundtables.csv"
    shutil.copy(meetings, _mkdir(misfiled))
    cases.append((misfiled, f"与目录月份 {MONTH} 不符"))
    return cases


def _mkdir(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    return path


def test_each_broken_file_is_refused_in_one_line_and_changes_nothing(
    loaded_home: Path, generated: Path
):
    before = snapshot(loaded_home)
    assert any(name.endswith("party_orgs.parquet") for name in before)
    for path, message in _broken_files(loaded_home, generated):
        result = run_cli(loaded_home, "ingest", str(path), check=False)
        assert result.returncode == 2, (path, result.stderr)
        assert "Traceback" not in result.stderr + result.stdout
        refusals = [line for line in result.stderr.splitlines() if line.startswith("拒收")]
        assert len(refusals) == 1, result.stderr
        assert path.name in refusals[0] and message in refusals[0], refusals[0]
        assert "请" in refusals[0], "a refusal says what to do"
        assert snapshot(loaded_home) == before, f"{path} changed the raw zone or ledger"


def test_bad_cells_are_quarantined_and_the_file_still_loads(loaded_home: Path, generated: Path):
    frame = registry(generated)
    frame.loc[1, "组织名称"] = "=cmd|' /C calc'!A0"
    frame.loc[2, "组织名称"] = "长" * 100_000
    path = write_registry(
        loaded_home / "landing" / "organisation" / "2025-05" / "party_orgs.csv", frame
    )
    result = run_cli(loaded_home, "ingest", str(path))
    assert "拒收 0 个" in result.stderr
    quarantine = pd.read_parquet(
        loaded_home
        / "raw"
        / "_quarantine"
        / "organisation"
        / "party_orgs"
        / "month=2025-05"
        / "party_orgs.parquet"
    )
    reasons = dict(zip(quarantine["source_row"], quarantine["reason"], strict=True))
    assert "疑似公式注入" in reasons[2]
    assert "超过 500 个字符" in reasons[3]
    accepted = pd.read_parquet(
        loaded_home / "raw" / "organisation" / "party_orgs" / "month=2025-05" / "party_orgs.parquet"
    )
    assert len(accepted) + len(quarantine) == len(frame)
    assert not accepted["org_name"].str.startswith("=").any()


def test_the_same_file_twice_is_skipped_and_a_correction_supersedes(loaded_home: Path):
    again = run_cli(loaded_home, "ingest")
    assert "跳过 1 个已导入文件" in again.stderr
    path = loaded_home / "landing" / "organisation" / MONTH / "party_orgs.csv"
    frame = pd.read_csv(path, encoding="gbk", dtype=str, keep_default_na=False)
    write_registry(path, frame.iloc[:-1])
    run_cli(loaded_home, "ingest")
    ledger = pd.read_parquet(loaded_home / "raw" / "_ledger.parquet")
    rows = ledger[ledger["file_path"] == f"organisation/{MONTH}/party_orgs.csv"].sort_values(
        "ingested_at"
    )
    assert rows["status"].tolist() == ["superseded", "loaded"]
    assert rows["superseded_by"].iloc[0] == rows["checksum"].iloc[1]
    part = pd.read_parquet(
        loaded_home
        / "raw"
        / "organisation"
        / "party_orgs"
        / f"month={MONTH}"
        / "party_orgs.parquet"
    )
    assert len(part) == len(frame) - 1


def test_the_raw_zone_can_be_a_file_uri_outside_the_home(
    fresh_home: Path, generated: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    """On a cluster the raw zone is shared storage named by a URI: the ingest writes there,
    and nothing is written to the home's own raw/ folder."""
    shared = tmp_path / "shared storage" / "raw"
    monkeypatch.setenv("XIAOGE_RAW_URI", shared.as_uri())
    target = fresh_home / "landing" / "organisation" / MONTH
    target.mkdir(parents=True)
    shutil.copy(generated / "organisation" / MONTH / "party_orgs.csv", target)
    run_cli(fresh_home, "ingest")

    parts = sorted(shared.glob(f"organisation/party_orgs/month={MONTH}/*.parquet"))
    assert len(parts) == 1
    assert (shared / "_ledger.parquet").exists()
    assert not (fresh_home / "raw").exists()
    rows = pd.read_parquet(parts[0])
    assert len(rows) == len(registry(generated))

    # a re-delivery supersedes through the same zone; the earlier delivery is kept there
    corrected = registry(generated).iloc[:-1]
    write_registry(target / "party_orgs.csv", corrected)
    run_cli(fresh_home, "ingest")
    (current,) = shared.glob(f"organisation/party_orgs/month={MONTH}/*.parquet")
    assert len(pd.read_parquet(current)) == len(corrected)
    assert len(list(shared.glob("_deliveries/**/*.parquet"))) == 2
    assert not (fresh_home / "raw").exists()


def test_a_raw_zone_uri_this_machine_cannot_write_is_one_line(
    fresh_home: Path, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setenv("XIAOGE_RAW_URI", "s3://xiaoge-raw/hangzhou")
    result = run_cli(fresh_home, "ingest", check=False)
    assert result.returncode == 1
    assert "XIAOGE_RAW_URI=s3://xiaoge-raw/hangzhou" in result.stderr
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
