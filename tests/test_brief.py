"""The 月度简报 as a leader reads it: one A4 page, a title block, a 摘要 written from the data,
the 三色 status of every KPI with a target (warehouse.kpis.headline's, from fct_kpi_status),
% axes on rate charts, no machine text."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pandas as pd
import pytest

from tests.conftest import run_cli
from warehouse.config import Home
from warehouse.export.brief import trend_figure, write_brief, write_charts
from warehouse.kpis import Scope, headline, reader, theme_names
from warehouse.present.format import FLAT, change
from warehouse.present.summary import summary_zh

MONTH = "2025-06"
LONG_DECIMAL = re.compile(r"\d\.\d{5,}")
SIGNED_ZERO = re.compile(r"[+-]0(\.0+)?(?![.\d])")
IDENTIFIER = re.compile(r"[A-Za-z]+_[A-Za-z_]+")


def with_status(frame: pd.DataFrame) -> pd.DataFrame:
    """The frame with its status columns (warehouse.kpis.headline gives them), and stand-ins
    for the provenance columns where the frame does not carry them yet."""
    assert {"status", "status_name_zh", "status_colour", "target"} <= set(frame.columns)
    stand_ins = {
        "sources_zh": frame["theme"].map(
            {t: f"业务系统{n}(数据截至 2025-06)" for n, t in enumerate(frame["theme"].unique())}
        ),
        "audit_zh": "审计通过",
        "data_as_of": MONTH,
        "build_id": "20250705T010203Z-abcd",
    }
    return frame.assign(**{k: v for k, v in stand_ins.items() if k not in frame.columns})


def pdf_text(path: Path) -> str:
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True, text=True
    ).stdout


def assert_one_a4_page(path: Path) -> None:
    info = subprocess.run(["pdfinfo", str(path)], check=True, capture_output=True, text=True)
    fields = dict(line.split(":", 1) for line in info.stdout.splitlines() if ":" in line)
    assert fields["Pages"].strip() == "1"
    width, _, height = fields["Page size"].split()[:3]
    assert (round(float(width)), round(float(height))) == (595, 842)


def assert_no_machine_text(text: str, build_id: str, allowed: frozenset = frozenset()) -> None:
    assert not LONG_DECIMAL.findall(text)
    assert not SIGNED_ZERO.findall(text)
    assert not IDENTIFIER.findall(text)
    assert "expect" not in text.lower()
    words = set(re.findall(r"[A-Za-z]{2,}", text))
    expected = {"kpis", "xlsx"} | set(re.findall(r"[A-Za-z]{2,}", build_id)) | allowed
    assert words <= expected, words


def assert_status_words(text: str, frame: pd.DataFrame) -> None:
    """Every KPI with a target and a figure shown has a status (unless disclosure control
    withholds it), and the brief's table prints it: the KPI's row in the PDF's text carries its
    status word (绿色, 黄色, 红色)."""
    judged = frame[frame["status_name_zh"].notna()]
    shown = frame[
        frame["target"].notna()
        & frame["value"].notna()
        & ~frame["status_suppressed"].fillna(False).astype(bool)
    ]
    assert shown.index.isin(judged.index).all()
    assert set(judged["status_name_zh"]) <= {"绿色", "黄色", "红色"}
    lines = text.splitlines()
    for kpi in judged.itertuples():
        assert any(kpi.name_zh[:6] in line and kpi.status_name_zh in line for line in lines), (
            kpi.kpi_id,
            kpi.status_name_zh,
        )


@pytest.fixture(scope="module")
def city(demo_home: Path) -> pd.DataFrame:
    return headline(reader(Home(demo_home)), Scope(MONTH))


def test_the_summary_names_the_largest_improvements_and_the_red_items(city: pd.DataFrame):
    frame = with_status(city)
    revision = {"previous_version": 1, "changes": [{"kpi_name": "党组织数"}] * 2}
    text = summary_zh(frame, MONTH, "杭州市", {"revision": revision})

    sign = frame["direction"].map({"up": 1, "down": -1})
    score = sign * (frame["value"] - frame["previous_month"]) / frame["previous_month"].abs()
    flat = [
        change(k.value, k.previous_month, k.value_kind) == FLAT["zh"] for k in frame.itertuples()
    ]
    score = score.where(~pd.Series(flat, index=frame.index), 0.0)
    best = frame.loc[score[score > 0].sort_values(ascending=False).index[:3], "name_zh"]
    places = [text.index(f"{name}(") for name in best]
    assert places == sorted(places) and len(places) == 3
    assert f"{int((score > 0).sum())} 项向好,{int((score < 0).sum())} 项回落" in text
    assert f"{int((score == 0).sum())} 项持平" in text
    counts = frame["status"].value_counts()
    for status, word in (("green", "绿色"), ("yellow", "黄色"), ("red", "红色")):
        assert f"{word} {int(counts.get(status, 0))} 项" in text
    red = frame[frame["status"] == "red"]
    assert f"红色预警 {len(red)} 项" in text
    for name in red["name_zh"][:4]:
        assert name in text
    assert "较第 1 版更正 2 项" in text
    assert not SIGNED_ZERO.findall(text) and not LONG_DECIMAL.findall(text)


def test_a_revised_brief_opens_with_its_corrections_and_prints_no_audit_rule(
    demo_home: Path, city: pd.DataFrame, tmp_path: Path
):
    frame = with_status(city)
    run = reader(Home(demo_home))
    charts = write_charts(tmp_path / "charts", run, Scope(MONTH), frame, theme_names(run))
    change_ = {"kpi_name": "党组织数", "area": "全市", "group_name": "", "platform_name": "",
               "old": "50个", "new": "49个", "files": ["组织关系/2025-06/党组织.csv"]}  # fmt: skip
    meta = {
        "month": MONTH,
        "district_code": None,
        "district_name": None,
        "version": 2,
        "build_id": "20250705T010203Z-abcd",
        "audit": {
            "passed": True,
            "errors": 0,
            "warnings": 90,
            "messages": ["全市指标环比变化不超过 50%:90 行不符(例如 1.0061901252763448)"],
        },
        "audit_summary_zh": "数据质量检查通过;3 项指标环比变化较大,已复核",
        "published_on": "2025-07-05",
        "data_as_of": "2025-05",
        "revision": {"previous_version": 1, "changes": [change_]},
    }
    write_brief(tmp_path, MONTH, None, frame, charts, meta, theme_names(run))
    assert_one_a4_page(tmp_path / "brief.pdf")
    text = pdf_text(tmp_path / "brief.pdf")
    assert_no_machine_text(text, meta["build_id"], frozenset({"csv"}))  # the corrected file
    assert "1.0061901252763448" not in (tmp_path / "brief.html").read_text(encoding="utf-8")
    flat = re.sub(r"\s+", "", text)
    for needed in ("更正说明", "党组织数(全市):50个→49个", "组织关系/2025-06/党组织.csv",
                   "数据截至:2025年5月", "发布日期:2025年7月5日", "版本:第2版", "摘要",
                   "3项指标环比变化较大,已复核", "数据版本20250705T010203Z-abcd"):  # fmt: skip
        assert needed in flat, needed
    assert_status_words(text, frame)
    # provenance: one footnote per distinct source text, not one per KPI
    notes = frame["sources_zh"].nunique()
    assert all(f"{mark} 来源:" in text for mark in "①②③④⑤⑥⑦"[:notes])
    assert theme_names(run)["party"] in text  # the 领域 column


def test_the_city_and_a_district_brief_exported_by_the_cli(copy_of_demo_home: Path):
    home = copy_of_demo_home
    shutil.rmtree(home / "exports" / MONTH, ignore_errors=True)  # the demo's own pack
    run_cli(home, "export", "--month", MONTH)
    run_cli(home, "export", "--month", MONTH, "--district", "330106")
    for district, folder in [
        (None, home / "exports" / MONTH / "v1"),
        ("330106", home / "exports" / MONTH / "district-330106" / "v1"),
    ]:
        frame = headline(reader(Home(home), district), Scope(MONTH, district))
        pdf = folder / "brief.pdf"
        assert_one_a4_page(pdf)
        text = pdf_text(pdf)
        build_id = frame["build_id"].iloc[0] if "build_id" in frame else ""
        assert_no_machine_text(text, build_id or _manifest_build(folder))
        for needed in ("数据截至", "摘要", "发布日期", "版本", "小哥友好城市建设月度简报"):
            assert needed in text, needed
        assert ("区县:西湖区" in text) == (district is not None)
        assert_status_words(text, frame)
        # the demo's targets: 19 KPIs city-wide; four in 西湖区, whose figures are all shown
        assert frame["status"].notna().sum() == (19 if district is None else 4)
        for name in frame["name_zh"]:
            assert name[:6] in text, name


def _manifest_build(folder: Path) -> str:
    import json

    return json.loads((folder / "manifest.json").read_text(encoding="utf-8"))["build_id"]


def test_rate_charts_have_percent_ticks_and_are_rendered(
    demo_home: Path, city: pd.DataFrame, tmp_path: Path
):
    run = reader(Home(demo_home))
    rates = city[(city["value_kind"] == "rate") & city["value"].notna()]
    for _, kpi in rates.iterrows():
        figure = trend_figure(run, Scope(MONTH), kpi)
        assert figure.layout.yaxis.tickformat == ".0%", kpi["kpi_id"]
        assert all(label.endswith("%") for label in figure.data[1].text)
    rendered = trend_figure(run, Scope(MONTH), rates.iloc[0]).full_figure_for_development(
        warn=False
    )
    assert rendered.layout.yaxis.tickformat == ".0%"
    assert rendered.layout.title.font.size >= 20
    paths = write_charts(tmp_path / "charts", run, Scope(MONTH), rates, theme_names(run))
    assert len(paths) == 2
    for path in paths:
        assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and path.stat().st_size > 10_000
        assert rates.set_index("kpi_id").loc[path.stem, "value_kind"] == "rate"
