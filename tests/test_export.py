"""The monthly KPI pack: its files, its numbers, and its versions."""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
from html import escape as html_escape
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from tests.conftest import CORRECTED_MONTH, CorrectedHome, kpi_json, run_cli
from warehouse.config import SEEDS_DIR, Home
from warehouse.kpis import Scope, headline, kpi_values, reader
from warehouse.present.format import value


@pytest.fixture(scope="module")
def pack(demo_home: Path) -> Path:
    """The pack `xiaoge demo` exported for the last month."""
    return demo_home / "exports" / "2025-06" / "v1"


def test_pack_holds_every_promised_file(pack: Path):
    names = {p.relative_to(pack).as_posix() for p in pack.rglob("*") if p.is_file()}
    assert {
        "kpis.xlsx",
        "kpis.csv",
        "kpis.parquet",
        "brief.html",
        "brief.pdf",
        "manifest.json",
    } <= names
    assert any(name.startswith("charts/") and name.endswith(".png") for name in names)


def test_manifest_checksums_match_every_file(pack: Path, demo_home: Path):
    manifest = json.loads((pack / "manifest.json").read_text(encoding="utf-8"))
    on_disk = {p.relative_to(pack).as_posix() for p in pack.rglob("*") if p.is_file()} - {
        "manifest.json"
    }
    assert set(manifest["files"]) == on_disk
    for name, digest in manifest["files"].items():
        assert hashlib.sha256((pack / name).read_bytes()).hexdigest() == digest, name
    assert manifest["month"] == "2025-06"
    assert manifest["version"] == 1
    assert manifest["build_id"] == kpi_json(demo_home)["build_id"]
    assert manifest["audit"]["passed"] is True
    ledger = pd.read_parquet(demo_home / "raw" / "_ledger.parquet")
    loaded = ledger[ledger["status"] == "loaded"]
    assert {(s["file_path"], s["checksum"]) for s in manifest["source_files"]} == set(
        zip(loaded["file_path"], loaded["checksum"], strict=True)
    )


def test_xlsx_sheets_headers_and_values_agree_with_xiaoge_kpi(pack: Path, demo_home: Path):
    book = openpyxl.load_workbook(pack / "kpis.xlsx")
    assert "说明" in book.sheetnames and "元数据" in book.sheetnames
    # Row 1 is each sheet's title, row 2 its header; the ids are on 明细 only.
    party = book["组织覆盖"]
    assert [cell.value for cell in party[2]][:4] == ["指标", "区域", "群体", "平台"]
    assert party.freeze_panes == "A3"
    detail = book["明细"]
    headers = [cell.value for cell in detail[2]]
    assert headers[:4] == ["指标代码", "指标名称", "月份", "区域"]
    rows = [
        dict(zip(headers, (c.value for c in row), strict=True))
        for row in detail.iter_rows(min_row=3)
    ]
    city = next(r for r in rows if r["指标代码"] == "party_orgs" and r["区域"] == "全市")
    assert (
        city["数值"]
        == kpi_json(demo_home, "--month", "2025-06")["kpis"]["party_orgs"]["value"]
        == 50
    )
    xihu = next(r for r in rows if r["指标代码"] == "party_orgs" and r["区域"] == "西湖区")
    assert (
        xihu["数值"]
        == kpi_json(demo_home, "--month", "2025-06", "--district", "330106")["kpis"]["party_orgs"][
            "value"
        ]
    )
    metadata = {row[0].value: row[1].value for row in book["元数据"].iter_rows(min_row=3)}
    assert metadata["构建编号"] == kpi_json(demo_home)["build_id"]
    assert metadata["审计结果"] == "通过"
    definitions = [row[0].value for row in book["说明"].iter_rows(min_row=3)]
    catalogue = pd.read_csv(Path(__file__).resolve().parents[1] / "seeds" / "kpi_catalogue.csv")
    assert sorted(definitions) == sorted(catalogue["name_zh"])


def test_csv_opens_in_excel_as_utf8_with_bom(pack: Path):
    raw = (pack / "kpis.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    text = raw.decode("utf-8-sig")  # strict: would fail on GBK bytes
    assert text.splitlines()[0].split(",")[:3] == ["kpi_id", "kpi_name", "month"]
    frame = pd.read_csv(pack / "kpis.csv", encoding="utf-8-sig")
    parquet = pd.read_parquet(pack / "kpis.parquet")
    assert len(frame) == len(parquet)
    # Small person counts are "<5" in the CSV and null (flagged) in the Parquet file.
    assert ((frame["value"] == "<5") == parquet["value_suppressed"]).all()
    numbers = pd.to_numeric(frame["value"], errors="coerce")
    assert numbers.tolist() == pytest.approx(parquet["value"].tolist(), nan_ok=True)


def test_brief_pdf_is_one_page(pack: Path, tmp_path: Path):
    subprocess.run(
        ["pdftoppm", "-r", "40", "-png", str(pack / "brief.pdf"), str(tmp_path / "page")],
        check=True,
    )
    assert [p.name for p in tmp_path.glob("page*.png")] == ["page-1.png"]
    html = (pack / "brief.html").read_text(encoding="utf-8")
    assert "杭州市小哥友好城市建设月度简报" in html and "党组织数" in html and "50个" in html
    assert "http://" not in html and "https://" not in html, "the brief must open offline"


def _all_area_values(home: Path, month: str) -> dict:
    """(KPI, district or None for the city) -> the figure `xiaoge kpi` gives."""
    districts = pd.read_csv(SEEDS_DIR / "districts.csv", dtype=str)["district_code"].tolist()
    return {
        (kpi_id, district): item["value"]
        for district in [None, *districts]
        for kpi_id, item in kpi_values(Home(home), month, district)["kpis"].items()
    }


def test_export_versions_and_diff_after_a_late_correction(
    demo_home: Path, corrected_home: CorrectedHome, tmp_path: Path
):
    month = CORRECTED_MONTH
    before_corrections = corrected_home.export_before
    assert "没有变化" in before_corrections and "v1" in before_corrections
    home = tmp_path / "home"
    shutil.copytree(corrected_home.home, home, symlinks=True)
    assert not (home / "exports" / month / "v2").exists()

    before, after = _all_area_values(demo_home, month), _all_area_values(home, month)
    changed = {
        kpi_id for key, value in after.items() if before.get(key) != value for kpi_id in [key[0]]
    }
    assert "party_orgs" in changed

    second = run_cli(home, "export", "--month", month)
    assert "第 2 版" in second.stderr
    v1, v2 = home / "exports" / month / "v1", home / "exports" / month / "v2"
    assert v2.is_dir()
    assert json.loads((v1 / "manifest.json").read_text(encoding="utf-8"))["version"] == 1, (
        "v1 must stay as it was"
    )

    listed = json.loads(run_cli(home, "export", "diff", "--month", month, "--json").stdout)
    assert {row["kpi_id"] for row in listed} == changed
    city = next(r for r in listed if r["kpi_id"] == "party_orgs" and r["area"] == "全市")
    assert (city["v1"], city["v2"]) == (50, 49)
    explicit = json.loads(
        run_cli(
            home, "export", "diff", "--month", month, "--from", "v1", "--to", "v2", "--json"
        ).stdout
    )
    assert explicit == listed

    # v2's workbook opens with its 更正说明: every changed figure, old and new, and the file.
    assert "更正说明" not in openpyxl.load_workbook(v1 / "kpis.xlsx").sheetnames
    book = openpyxl.load_workbook(v2 / "kpis.xlsx")
    assert book.sheetnames[:2] == ["更正说明", "总览"]
    sheet = book["更正说明"]
    assert [c.value for c in sheet[2]][4:6] == ["第 1 版数值", "第 2 版数值"]
    corrections = list(sheet.iter_rows(min_row=3, values_only=True))
    assert len(corrections) == len(listed)
    orgs = next(r for r in corrections if r[0] == "党组织数" and r[1] == "全市")
    assert orgs[4:6] == ("50个", "49个")
    assert f"organisation/{month}/party_orgs.csv" in orgs[6].split("\n")


def test_diff_without_two_versions_explains(demo_home: Path):
    result = run_cli(demo_home, "export", "diff", "--month", "2025-06", check=False)
    assert result.returncode != 0
    assert "没有可比较的两个版本" in result.stderr
    assert "Traceback" not in result.stderr


def _pdf_text(path: Path) -> str | None:
    if shutil.which("pdftotext") is None:
        return None
    return subprocess.run(
        ["pdftotext", str(path), "-"], check=True, capture_output=True, text=True
    ).stdout


def _xlsx_text(path: Path) -> str:
    book = openpyxl.load_workbook(path)
    return "\n".join(
        str(cell.value)
        for sheet in book.worksheets
        for row in sheet.iter_rows()
        for cell in row
        if cell.value is not None
    )


def _audit_warnings(home: Path, build_id: str, month: str) -> dict[str, str]:
    """Audit warnings as the audit writes them, put into the published version's record: a
    KPI warning of `month` for 西湖区 (330106) and for 上城区 (330102), one of the month after
    for 西湖区, and one about the whole build (a mart's row count)."""
    from dataclasses import asdict

    from warehouse.audit import KPI_RANGE, Finding, kpi_expectation_frame, kpi_warning
    from warehouse.duck import connect

    path = home / "published" / "versions" / build_id / "version.json"
    record = json.loads(path.read_text(encoding="utf-8"))
    with connect(home / "published" / "xiaoge.duckdb", read_only=True) as con:
        frame = kpi_expectation_frame(con)
    stations = frame[(frame["kpi_id"] == "stations_active") & (frame["area_level"] == "district")]
    added = {}
    for key, district, when in [
        ("ours", "330106", month),
        ("theirs", "330102", month),
        ("later", "330106", str(pd.Period(month, "M") + 1)),
    ]:
        row = (
            stations[
                (stations["district_code"] == district)
                & (pd.to_datetime(stations["month_start"]).dt.strftime("%Y-%m") == when)
            ]
            .iloc[0]
            .copy()
        )
        row["kpi_value"] = 99_999.0  # above the catalogue's plausible range
        message = kpi_warning(row, [KPI_RANGE])
        finding = Finding("kpi.kpi_expectations", KPI_RANGE, "warning", message,
                          "stations_active", district, when)  # fmt: skip
        record["audit"]["findings"].append(asdict(finding))
        added[key] = message
    whole = "fct_kpi_monthly 行数与上一发布版本(100)相比在 0.9-1.5 倍之间:实际为 200"
    record["audit"]["findings"].append(
        asdict(Finding("kpi.fct_kpi_monthly", "x", "warning", whole))
    )
    added["whole"] = whole
    record["audit"]["warnings"] += len(added)
    path.write_text(json.dumps(record, ensure_ascii=False), encoding="utf-8")
    return added


def test_a_district_pack_shows_only_its_district(copy_of_demo_home: Path):
    home = copy_of_demo_home
    build_id = kpi_json(home)["build_id"]
    month = "2023-01"  # the city's first month, before the targets' trajectories start
    warnings = _audit_warnings(home, build_id, month)
    assert warnings["ours"].startswith("西湖区 2023年1月 服务驿站数 为 ")
    run_cli(home, "export", "--month", month)
    run_cli(home, "export", "--month", month, "--district", "330106")
    city = home / "exports" / month / "v1"
    district = home / "exports" / month / "district-330106" / "v1"

    city_brief = (city / "brief.html").read_text(encoding="utf-8")
    for key in ("ours", "theirs", "whole", "later"):  # the manifest keeps the audit's text
        assert html_escape(warnings[key]) not in city_brief, key

    manifest = json.loads((district / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["audit"]["messages"] == [warnings["ours"]]
    assert manifest["audit"]["warnings"] == 1
    texts = {
        "brief.html": (district / "brief.html").read_text(encoding="utf-8"),
        "brief.pdf": _pdf_text(district / "brief.pdf"),
        "kpis.xlsx": _xlsx_text(district / "kpis.xlsx"),
        "manifest.json": json.dumps(manifest, ensure_ascii=False),
    }
    assert "西湖区" in texts["brief.html"]
    assert html_escape(warnings["ours"]) not in texts["brief.html"]
    others = [warnings[key] for key in ("theirs", "later", "whole")]
    for name, text in texts.items():
        if text is None:  # no pdftotext on this machine
            continue
        assert not [w for w in others if w in text or html_escape(w) in text], name
    book = openpyxl.load_workbook(district / "kpis.xlsx")
    metadata = dict(book["元数据"].iter_rows(min_row=3, values_only=True))
    assert (metadata["区域"], metadata["区县代码"], metadata["审计警告"]) == ("西湖区", "330106", 1)
    # The targets: in 2025-06 the city and 西湖区 each have their own. The district's 总览
    # and brief hold its own targets only, never the city's.
    month = "2025-06"
    run_cli(home, "export", "--month", month, "--district", "330106")
    district = home / "exports" / month / "district-330106" / "v1"
    city_targets = headline(reader(Home(home)), Scope(month)).set_index("kpi_id")["target"]
    ours = headline(reader(Home(home), "330106"), Scope(month, "330106"))
    assert ours["target"].notna().sum() == 4 and city_targets.notna().sum() == 19
    book = openpyxl.load_workbook(district / "kpis.xlsx")
    overview = book["总览"]
    headers = [cell.value for cell in overview[2]]
    assert "目标" in headers
    targets = {
        row[0]: row[headers.index("目标")]
        for row in overview.iter_rows(min_row=3, values_only=True)
    }
    assert set(targets) == set(ours["name_zh"])
    for kpi in ours.itertuples():
        if pd.isna(kpi.target):
            assert targets[kpi.name_zh] is None, kpi.kpi_id
        else:
            assert targets[kpi.name_zh] == pytest.approx(kpi.target), kpi.kpi_id
    assert targets["党组织数"] is None  # the city's trajectory toward 50 is not 西湖区's
    city_stations = value(city_targets["stations_active"], "count", "个")  # 2,952个
    assert f">{city_stations}<" in (home / "exports" / month / "v1" / "brief.html").read_text(
        encoding="utf-8"
    )
    assert city_stations not in (district / "brief.html").read_text(encoding="utf-8")


def test_export_without_a_month_exports_the_latest_published_month(copy_of_demo_home: Path):
    # `xiaoge demo` exported the last month already: the same numbers write no new version
    result = run_cli(copy_of_demo_home, "export")
    assert "2025-06 的数字没有变化" in result.stderr + result.stdout
    assert sorted(p.name for p in (copy_of_demo_home / "exports").iterdir()) == ["2025-06"]
