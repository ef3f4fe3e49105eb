"""The audit's KPI expectations (seeds/kpi_catalogue.csv): on the clean demo only the warnings
its injected defects are meant to cause, one Chinese sentence for a figure that breaks its
KPI's expectations, and no figure hidden by disclosure control in any warning."""

from __future__ import annotations

import json
import re
import shutil
from collections import Counter
from pathlib import Path

import duckdb
import pytest

from warehouse.audit import KPI_VERDICTS, release_held, run_audit
from warehouse.generate.defects import REASON_MARKERS, Defect, read_manifest

# What each kind of injected defect does to the KPIs. Every kind the generator injects today
# breaks single rows, which ingest quarantines (REASON_MARKERS: the reason it gives): such a
# row never reaches a KPI, so it causes no KPI warning. A defect kind meant to disturb a KPI
# maps a defect to the (kpi_id, district_code or None, "YYYY-MM") whose figure it breaks.
QUARANTINED = set(REASON_MARKERS)


def expected_kpi_warning(defect: Defect) -> tuple[str, str | None, str] | None:
    if defect.kind in QUARANTINED:
        return None
    raise AssertionError(
        f"defect kind {defect.kind!r} ({defect.file}): say which KPI warning it causes"
    )


# A float written with more digits than any KPI shows, or anything in Latin letters (a rule
# name, an identifier, an English name): neither belongs in a warning.
LONG_FLOAT = re.compile(r"\d+\.\d{5,}")
LATIN = re.compile(r"[A-Za-z_]")


def _record(home: Path) -> dict:
    """The published version's record: the audit as `xiaoge demo` prints it and packs show it."""
    versions = sorted((home / "published" / "versions").glob("*/version.json"))
    return json.loads(versions[-1].read_text(encoding="utf-8"))


def _warnings(audit: dict) -> list[dict]:
    return [f for f in audit["findings"] if f["severity"] == "warning"]


def _assert_plain_chinese(messages: list[str]) -> None:
    for message in messages:
        assert not LONG_FLOAT.search(message), message
        assert not LATIN.search(message), message
        for check in KPI_VERDICTS:
            assert check not in message, message


def test_the_clean_demo_warns_only_where_its_defects_say(demo_home: Path):
    defects = read_manifest(demo_home / "landing")
    assert defects, "the demo injects defects"
    expected = Counter(
        effect for defect in defects if (effect := expected_kpi_warning(defect)) is not None
    )
    audit = _record(demo_home)["audit"]
    warnings = _warnings(audit)
    found = Counter((f["kpi_id"], f["district_code"], f["month"]) for f in warnings)
    assert found == expected, [f["message"] for f in warnings]
    assert all(n == 1 for n in found.values()), "each defect's warning exactly once"
    assert "held" not in audit, "publish writes out or drops every held warning"
    _assert_plain_chinese([f["message"] for f in warnings])


@pytest.fixture(scope="module")
def altered(demo_home: Path, tmp_path_factory: pytest.TempPathFactory) -> dict:
    """The audit run in-process on a copy of the demo's build database with three figures of
    the last month altered: a district's service stations (a count of places), a shown
    district pension rate and a hidden one (figures about people, which disclosure control
    may hide); and the held warnings released against a copy of the published file with the
    same figures altered, as publish does."""
    record = _record(demo_home)
    build_dir = demo_home / "build" / record["build_id"]
    work = tmp_path_factory.mktemp("altered-audit")
    (work / "target").mkdir()
    shutil.copy(build_dir / "target" / "manifest.json", work / "target")
    database, published = work / "xiaoge.duckdb", work / "published.duckdb"
    shutil.copy(build_dir / "xiaoge.duckdb", database)
    shutil.copy(
        demo_home / "published" / "versions" / record["build_id"] / "xiaoge.duckdb", published
    )

    with duckdb.connect(str(published), read_only=True) as con:
        last = con.execute("select max(month_start) from fct_kpi_monthly").fetchall()[0][0]
        rates = con.execute(
            """
            select k.kpi_row_id, k.district_code, k.group_code, k.kpi_value, k.value_suppressed,
                   p.value_suppressed as previous_suppressed, k.denominator
            from fct_kpi_monthly as k
            join fct_kpi_monthly as p
              on p.kpi_id = k.kpi_id and p.area_level = k.area_level
             and p.district_code = k.district_code and p.group_code = k.group_code
             and p.month_start = k.month_start - interval 1 month
            where k.kpi_id = 'insurance_rate_pension' and k.area_level = 'district'
              and k.platform_code is null and k.month_start = ?
            order by k.denominator desc nulls last, k.kpi_row_id
            """,
            [last],
        ).df()
        district_names = dict(
            con.execute("select district_code, district_name from districts").fetchall()
        )
        group_names = dict(
            con.execute("select group_code, group_name from worker_groups").fetchall()
        )
    shown = rates[~rates["value_suppressed"] & ~rates["previous_suppressed"]].iloc[0]
    hidden = rates[rates["value_suppressed"]].iloc[0]
    stations_district = "330106"
    changes = [
        (
            "update fct_kpi_monthly set kpi_value = kpi_value * 3 where kpi_id = 'stations_active'"
            " and area_level = 'district' and district_code = ? and month_start = ?",
            [stations_district, last],
        ),
        (
            "update fct_kpi_monthly set kpi_value = ? where kpi_row_id = ?",
            [float(shown["kpi_value"]) + 0.4, shown["kpi_row_id"]],
        ),
        (
            "update fct_kpi_monthly set kpi_value = 0.987 where kpi_row_id = ?",
            [hidden["kpi_row_id"]],
        ),
    ]
    for path in (database, published):
        with duckdb.connect(str(path)) as con:
            for sql, params in changes:
                con.execute(sql, params)
    result = run_audit("altered", database, None, work)
    audit = json.loads((work / "audit.json").read_text(encoding="utf-8"))
    return {
        "result": result,
        "held": audit["held"],
        "released": release_held(audit, published),
        "baseline": _warnings(record["audit"]),
        "month": f"{last.year}年{last.month}月",
        "stations_district": district_names[stations_district],
        "shown": (
            shown["kpi_row_id"],
            f"{district_names[shown['district_code']]} {group_names[shown['group_code']]}",
        ),
        "hidden": hidden["kpi_row_id"],
    }


def test_an_altered_count_gives_one_new_warning_naming_it(altered: dict):
    result = altered["result"]
    assert not result.errors, [f.message for f in result.errors]
    baseline = {f["message"] for f in altered["baseline"]}
    new = [f for f in result.warnings if f.message not in baseline]
    assert len(new) == 1, [f.message for f in new]
    message = new[0].message
    assert message.startswith(f"{altered['stations_district']} {altered['month']} 服务驿站数 为 ")
    assert "比上月增加" in message and "超过月度变动上限" in message
    assert (new[0].kpi_id, new[0].district_code) == ("stations_active", "330106")


def test_a_warning_about_people_waits_for_disclosure_control(altered: dict):
    # no figure about people is written out at build, where nothing is protected yet
    assert not [f for f in altered["result"].warnings if f.kpi_id == "insurance_rate_pension"]
    held = {item["kpi_row_id"] for item in altered["held"]}
    shown_row, shown_area = altered["shown"]
    assert {shown_row, altered["hidden"]} <= held
    assert all(set(item) == {"checks", "kpi_row_id"} for item in altered["held"]), "no figure"

    released = [
        f for f in _warnings(altered["released"]) if f["kpi_id"] == "insurance_rate_pension"
    ]
    assert len(released) == 1, [f["message"] for f in released]
    message = released[0]["message"]
    assert message.startswith(f"{shown_area} {altered['month']} 养老保险参保率(一线骑手) 为 ")
    assert "比上月上升" in message and "个百分点" in message and "超过月度变动上限" in message
    # the hidden figure's warning is dropped (one released of two held): its value is nowhere
    assert "98.7%" not in json.dumps(altered["released"], ensure_ascii=False)


def test_no_warning_has_long_floats_or_identifiers(demo_home: Path, altered: dict):
    messages = [f["message"] for f in _warnings(_record(demo_home)["audit"])]
    messages += [f.message for f in altered["result"].warnings]
    messages += [f["message"] for f in _warnings(altered["released"])]
    assert len(messages) >= 2
    _assert_plain_chinese(messages)
