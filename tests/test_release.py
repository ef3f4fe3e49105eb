"""`xiaoge release --month`: the city's and 13 district packs and a release record in one run;
nothing new writes nothing; a correction after release makes new versions whose 更正说明 lists
exactly the changed figures, which the dashboards mark; held corrections are in the record."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from tests.access_support import ACCESS, APP
from tests.conftest import run_cli
from tests.test_cli_errors import assert_one_line_error
from warehouse.config import SEEDS_DIR
from warehouse.present.format import value as formatted

MONTH = "2025-06"
DISTRICTS = pd.read_csv(SEEDS_DIR / "districts.csv", dtype=str).set_index("district_code")
CATALOGUE = pd.read_csv(SEEDS_DIR / "kpi_catalogue.csv").set_index("kpi_id")
CORRECTED = f"organisation/{MONTH}/party_orgs.csv"  # one organisation merged: fewer orgs
HELD = f"platform/{MONTH}/worker_roster__dada.csv"  # 70% of its rows gone: held
FIGURE = ["kpi_id", "area", "group_code", "platform_code"]


def exports_snapshot(home: Path) -> dict[str, str]:
    """Every file under exports/ and its hash."""
    return {
        p.relative_to(home).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted((home / "exports").rglob("*"))
        if p.is_file()
    }


def pack_folders(home: Path) -> dict[str | None, list[str]]:
    """District code (None: the city) -> the month's pack versions."""
    base = home / "exports" / MONTH
    found = {None: sorted(p.name for p in base.glob("v*"))}
    for folder in base.glob("district-*"):
        found[folder.name.removeprefix("district-")] = sorted(p.name for p in folder.glob("v*"))
    return found


def records(home: Path) -> list[Path]:
    return sorted((home / "exports" / MONTH / "releases").glob("release-*.json"))


def manifest(folder: Path) -> dict:
    return json.loads((folder / "manifest.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def released(demo_home: Path, tmp_path_factory: pytest.TempPathFactory) -> dict:
    """A copy of the demo home after one release of the month, and then a second one."""
    home = tmp_path_factory.mktemp("released") / "home"
    shutil.copytree(demo_home, home, symlinks=True)
    first = run_cli(home, "release", "--month", MONTH, timeout=1200)
    after_first = exports_snapshot(home)
    second = run_cli(home, "release", "--month", MONTH, timeout=1200)
    return {"home": home, "first": first, "second": second, "after_first": after_first}


def test_release_writes_the_city_and_13_district_packs_and_a_record(released: dict):
    home = released["home"]
    folders = pack_folders(home)
    assert set(folders) == {None, *DISTRICTS.index}
    assert all(versions == ["v1"] for versions in folders.values()), folders
    for code in DISTRICTS.index:  # each district's pack under its district's scope
        pack = home / "exports" / MONTH / f"district-{code}" / "v1"
        assert manifest(pack)["district_code"] == code
        numbers = pd.read_csv(pack / "kpis.csv", encoding="utf-8-sig", dtype=str)
        assert set(numbers["district_code"]) == {code}
        # every district pack has the district analysis page of its version, without code
        page = (pack.parent / "district-analysis-v1.html").read_text(encoding="utf-8")
        name = DISTRICTS.loc[code, "district_name"]
        assert f"<title>{name} 2025年6月 区县分析</title>" in page and "import " not in page
    [path] = records(home)
    record = json.loads(path.read_text(encoding="utf-8"))
    analyses = [
        (a["district_code"], a["pack_version"], a["new"]) for a in record["district_analyses"]
    ]
    assert analyses == [(code, 1, True) for code in DISTRICTS.index]
    assert record["release"] == 1 and record["month"] == MONTH
    assert [p["area"] for p in record["packs"]] == ["全市", *DISTRICTS["district_name"]]
    assert {p["version"] for p in record["packs"]} == {1}
    assert record["run_by"].endswith("(操作系统用户)")
    assert record["held_corrections"] == [] and record["ingest"]["loaded"] == []
    assert record["built_now"] is False, "nothing new was loaded: the served build is used"
    # the city's headline figures against last month, as the brief writes them
    party = next(k for k in record["since_last_month"] if k["kpi_id"] == "party_orgs")
    assert (party["value"], party["name"]) == ("50个", "党组织数")
    text = path.with_suffix(".md").read_text(encoding="utf-8")
    for heading in ("## 指标包", "## 与上月相比(全市)", "## 审计提示", "## 暂缓的更正"):
        assert heading in text
    assert "| 党组织数 | 50个 |" in text
    assert "已发布 2025-06" in released["first"].stderr


def test_a_second_release_with_nothing_new_writes_nothing_and_says_so(released: dict):
    home, second = released["home"], released["second"]
    assert exports_snapshot(home) == released["after_first"]
    assert len(records(home)) == 1
    said = [line for line in second.stderr.splitlines() if "没有新的数据" in line]
    assert said == [f"{MONTH} 没有新的数据:14 个指标包与最新版本相同,未写新版本,也未写发布记录"]


def test_a_release_for_a_month_without_data_or_by_a_district_user_is_one_line(
    released: dict, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    home = tmp_path / "home"
    shutil.copytree(released["home"], home, symlinks=True)
    before = exports_snapshot(home)
    result = run_cli(home, "release", "--month", "2031-01", check=False)
    assert_one_line_error(result, "2031-01", "没有 2031-01 的数据")
    assert_one_line_error(run_cli(home, "release", "--month", "2025-13", check=False), "2025-13")
    access = tmp_path / "access.yml"
    access.write_text(ACCESS, encoding="utf-8")
    monkeypatch.setenv("XIAOGE_ACCESS_FILE", str(access))
    user = "xihu@hz.example"  # district:330106 in ACCESS
    district_user = run_cli(home, "release", "--month", MONTH, "--as-user", user, check=False)
    assert_one_line_error(district_user, user, "只能看本区县")
    assert exports_snapshot(home) == before


def correct_landing_files(home: Path) -> None:
    """The party-building office re-sends the month's registry (one delivery organisation
    revoked: the numbers change, no row is lost), and a platform re-sends a roster with 70%
    of its rows missing (held for a person)."""
    path = home / "landing" / CORRECTED
    frame = pd.read_csv(path, encoding="gbk", dtype=str, keep_default_na=False)
    active = frame[(frame["服务群体"] == "网约配送员") & (frame["撤销日期"] == "")].index
    frame.loc[active[0], "撤销日期"] = f"{MONTH}-15"
    frame.to_csv(path, index=False, encoding="gbk", lineterminator="\r\n")
    short = home / "landing" / HELD
    frame = pd.read_csv(short, dtype=str, keep_default_na=False)
    frame.head(int(len(frame) * 0.3)).to_csv(short, index=False)


def marked_cards(home: Path, monkeypatch: pytest.MonkeyPatch, district: str | None) -> dict:
    """The overview's revised cards, label -> help, for the city or a district."""
    monkeypatch.setenv("XIAOGE_HOME", str(home))
    monkeypatch.setenv("XIAOGE_DEMO_ROLE", "analyst")
    at = AppTest.from_file(APP, default_timeout=60).run()
    if district:
        at.selectbox(key="district_code").set_value(district).run()
    assert not at.exception, at.exception
    assert at.metric, "the overview shows no cards"
    return {m.label: m.help for m in at.metric if m.label.endswith("（已更正）")}


@pytest.mark.timeout(1500)
def test_a_correction_after_release_makes_a_revised_version_the_dashboards_mark(
    released: dict, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    home = tmp_path / "home"
    shutil.copytree(released["home"], home, symlinks=True)
    city_v1 = {
        k: v for k, v in exports_snapshot(home).items() if k.startswith(f"exports/{MONTH}/v1/")
    }
    correct_landing_files(home)
    result = run_cli(home, "release", "--month", MONTH, timeout=1200)
    assert "暂缓" in result.stderr and HELD in result.stderr

    city = home / "exports" / MONTH / "v2"
    revision = manifest(city)["revision"]
    assert revision["previous_version"] == 1
    assert {k: v for k, v in exports_snapshot(home).items() if k in city_v1} == city_v1
    # exactly the figures `xiaoge export diff` finds, old and new as the reader sees them
    listed = json.loads(run_cli(home, "export", "diff", "--month", MONTH, "--json").stdout)
    assert listed and len(revision["changes"]) == len(listed)
    changes = {tuple(c[k] for k in FIGURE): c for c in revision["changes"]}
    for row in listed:
        change = changes[tuple(row[k] for k in FIGURE)]
        kind, unit = CATALOGUE.loc[row["kpi_id"], ["value_kind", "unit"]]
        assert change["old"] == formatted(row["v1"], kind, unit)
        assert change["new"] == formatted(row["v2"], kind, unit)
        assert change["files"] == [CORRECTED]
    party = changes[("party_orgs", "全市", "delivery", None)]
    assert (party["old"], party["new"], party["kpi_name"]) == ("50个", "49个", "党组织数")
    # the BOM: Excel and WPS read the file as UTF-8
    assert (city / "corrections.csv").read_bytes().startswith("\ufeff指标".encode())
    corrections = pd.read_csv(city / "corrections.csv", encoding="utf-8-sig", dtype=str)
    assert len(corrections) == len(listed)
    assert set(corrections["更正的落地文件"]) == {CORRECTED}

    # each district pack is revised for its own figures only
    revised_districts = {c["district_code"] for c in revision["changes"] if c["district_code"]}
    assert revised_districts
    for code in DISTRICTS.index:
        versions = pack_folders(home)[code]
        if code not in revised_districts:
            assert versions == ["v1"], code
            continue
        assert versions == ["v1", "v2"], code
        assert (
            home / "exports" / MONTH / f"district-{code}" / "district-analysis-v2.html"
        ).exists()
        own = manifest(home / "exports" / MONTH / f"district-{code}" / "v2")["revision"]
        expected = [c for c in revision["changes"] if c["district_code"] == code]
        assert [(*(c[k] for k in FIGURE), c["old"], c["new"]) for c in own["changes"]] == [
            (*(c[k] for k in FIGURE), c["old"], c["new"]) for c in expected
        ]

    # the record: the new versions, their 更正说明, and the held correction
    [_, latest] = records(home)
    record = json.loads(latest.read_text(encoding="utf-8"))
    assert record["built_now"] is True and record["ingest"]["loaded"] == [CORRECTED]
    new = {p["district_code"] for p in record["packs"] if p["new"]}
    assert new == {None, *revised_districts}
    assert [h["file_path"] for h in record["held_corrections"]] == [HELD]
    assert record["held_corrections"][0]["command"] == f"xiaoge ingest --accept-correction {HELD}"
    text = latest.with_suffix(".md").read_text(encoding="utf-8")
    assert f"- {HELD}:入库行" in text
    assert f"| 党组织数 | 全市 | 网约配送员 |  | 50个 | 49个 | {CORRECTED} |" in text

    # the dashboards mark exactly the city's revised figures, and a district's own
    city_names = {c["kpi_name"] for c in revision["changes"] if c["district_code"] is None}
    marked = marked_cards(home, monkeypatch, None)
    assert {label.removesuffix("（已更正）") for label in marked} == city_names
    assert (
        "50个 → 49个" in marked["党组织数（已更正）"] and CORRECTED in marked["党组织数（已更正）"]
    )
    district = sorted(revised_districts)[0]
    names = {c["kpi_name"] for c in revision["changes"] if c["district_code"] == district}
    assert {
        label.removesuffix("（已更正）") for label in marked_cards(home, monkeypatch, district)
    } == names
    untouched = next(code for code in DISTRICTS.index if code not in revised_districts)
    assert marked_cards(home, monkeypatch, untouched) == {}
