"""Small-cell suppression (warehouse/privacy.py) and no personal data where it should not be."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from tests.test_pii import ID_LIKE, MOBILE_LIKE, _texts, valid_id
from warehouse.privacy import SUPPRESSED, _families, protected_rows, suppress

PEOPLE = {"people", "people_rate"}


def _row(kpi, level, district=None, group=None, platform=None, value=None, num=None, den=None):
    return {
        "kpi_id": kpi,
        "month_start": pd.Timestamp("2025-06-01"),
        "area_level": level,
        "district_code": district,
        "group_code": group,
        "platform_code": platform,
        "kpi_value": value,
        "numerator": num,
        "denominator": den,
    }


def _frame(rows: list[dict]) -> pd.DataFrame:
    return pd.DataFrame(rows).astype({"kpi_value": float, "numerator": float, "denominator": float})


def test_counts_from_1_to_4_are_hidden_and_zero_is_shown():
    rows = _frame(
        [
            _row("people", "city", value=100),
            _row("people", "district", "d1", value=3),
            _row("people", "district", "d2", value=0),
            _row("people", "district", "d3", value=40),
            _row("people", "district", "d4", value=57),
            _row("stations", "district", "d1", value=2),  # not people: published as is
        ]
    )
    out = suppress(rows, PEOPLE)
    hidden = dict(
        zip(
            out["district_code"].fillna("city") + out["kpi_id"],
            out["value_suppressed"],
            strict=True,
        )
    )
    assert hidden["d1people"] and not hidden["d2people"]
    assert out.loc[out["kpi_id"] == "stations", "kpi_value"].tolist() == [2]
    assert out.loc[out["value_suppressed"], "kpi_value"].isna().all()


def test_one_hidden_district_takes_the_next_smallest_with_it():
    rows = _frame(
        [
            _row("people", "city", value=100),
            _row("people", "district", "d1", value=3),
            _row("people", "district", "d2", value=40),
            _row("people", "district", "d3", value=57),
        ]
    )
    out = suppress(rows, PEOPLE).set_index("district_code")
    # city 100 minus the shown district (57) no longer gives d1: d1 and d2 are both hidden
    assert out.loc["d1", "value_suppressed"] and out.loc["d2", "value_suppressed"]
    assert not out.loc["d3", "value_suppressed"]
    assert out.loc[out.index.isna(), "kpi_value"].item() == 100


def test_two_hidden_cells_that_add_up_to_less_than_5_take_a_third():
    rows = _frame(
        [
            _row("people", "city", value=60),
            _row("people", "district", "d1", value=1),
            _row("people", "district", "d2", value=2),
            _row("people", "district", "d3", value=20),
            _row("people", "district", "d4", value=37),
        ]
    )
    out = suppress(rows, PEOPLE)
    assert out["value_suppressed"].sum() == 3
    assert out.loc[out["district_code"] == "d3", "value_suppressed"].item()


def test_a_hidden_total_hides_one_of_its_parts():
    rows = _frame(
        [
            _row("people", "district", "d1", value=4),
            _row("people", "district", "d1", "delivery", value=2),
            _row("people", "district", "d1", "ride", value=2),
            _row("people", "district", "d2", value=50),
            _row("people", "district", "d2", "delivery", value=30),
            _row("people", "district", "d2", "ride", value=20),
        ]
    )
    out = suppress(rows, PEOPLE)
    d1 = out[out["district_code"] == "d1"]
    assert d1["value_suppressed"].all()
    assert not out[out["district_code"] == "d2"]["value_suppressed"].any()


def test_a_rate_is_hidden_with_a_small_numerator_or_denominator():
    rows = _frame(
        [
            _row("people_rate", "city", group="g", value=0.5, num=50, den=100),
            _row("people_rate", "district", "d1", "g", value=0.75, num=3, den=4),
            _row("people_rate", "district", "d2", "g", value=0.5, num=20, den=40),
            _row("people_rate", "district", "d3", "g", value=27 / 56, num=27, den=56),
        ]
    )
    out = suppress(rows, PEOPLE).set_index("district_code")
    assert out.loc["d1", ["value_suppressed", "numerator_suppressed"]].all()
    assert pd.isna(out.loc["d1", "kpi_value"]) and pd.isna(out.loc["d1", "numerator"])
    # complementary: another district's numerator and denominator go too, so its rate does
    assert out.loc["d2", "value_suppressed"]
    assert not out.loc["d3", "value_suppressed"] and out.loc["d3", "numerator"] == 27


# --- over a full demo run -------------------------------------------------------------------


@pytest.fixture(scope="module")
def people_kpis() -> set[str]:
    catalogue = pd.read_csv(Path(__file__).resolve().parents[1] / "seeds" / "kpi_catalogue.csv")
    assert "counts_people" in catalogue.columns
    return set(catalogue.loc[catalogue["counts_people"], "kpi_id"])


def _small(values: pd.Series) -> pd.Series:
    numbers = pd.to_numeric(values, errors="coerce")
    return (numbers > 0) & (numbers < 5)


def _person_measures(frame: pd.DataFrame, people: set[str], kinds: dict) -> list[pd.Series]:
    mine = frame[frame["kpi_id"].isin(people)]
    counts = mine[mine["kpi_id"].map(kinds) == "count"]
    return [counts["value"], mine["numerator"], mine["denominator"]]


def test_published_rows_have_no_small_person_count_and_no_lone_hidden_cell(
    demo_home: Path, people_kpis: set[str]
):
    rows = protected_rows(demo_home / "published" / "xiaoge.duckdb")
    mine = rows[rows["kpi_id"].isin(people_kpis)].reset_index(drop=True)
    assert mine["value_suppressed"].any(), "the small demo has small cells; none were hidden"
    for column in ("numerator", "denominator"):
        assert not _small(mine[column]).any(), column
    counts = mine[mine["numerator"].isna() & mine["denominator"].isna()]
    assert not _small(counts["kpi_value"]).any()
    for flag, column in (("numerator_suppressed", "numerator"), ("value_suppressed", "kpi_value")):
        hidden = mine[flag].to_numpy()
        present = mine[column].notna().to_numpy() | hidden
        for parent, children in _families(mine):
            members = [m for m in (parent, *children) if present[m]]
            assert sum(hidden[m] for m in members) != 1, (flag, mine.iloc[parent].to_dict())


def test_exported_pack_shows_small_counts_only_as_lt5(demo_home: Path, people_kpis: set[str]):
    pack = demo_home / "exports" / "2025-06" / "v1"
    catalogue = pd.read_csv(Path(__file__).resolve().parents[1] / "seeds" / "kpi_catalogue.csv")
    kinds = dict(zip(catalogue["kpi_id"], catalogue["value_kind"], strict=True))
    frame = pd.read_csv(pack / "kpis.csv", encoding="utf-8-sig", dtype=str)
    assert (frame == SUPPRESSED).any().any(), "the pack hides some small cells"
    for series in _person_measures(frame, people_kpis, kinds):
        assert not _small(series).any()
    parquet = pd.read_parquet(pack / "kpis.parquet")
    assert parquet["value_suppressed"].any()
    assert parquet.loc[parquet["value_suppressed"], "value"].isna().all()
    book = openpyxl.load_workbook(pack / "kpis.xlsx", read_only=True)
    for sheet in book.worksheets:
        rows = list(sheet.iter_rows(values_only=True))
        if not rows or "数值" not in rows[0]:
            continue
        table = pd.DataFrame(rows[1:], columns=rows[0])
        table = table.rename(
            columns={
                "指标代码": "kpi_id",
                "数值": "value",
                "分子": "numerator",
                "分母": "denominator",
            }
        )
        for series in _person_measures(table, people_kpis, kinds):
            assert not _small(series).any(), sheet.title


# --- no personal data outside landing/ ------------------------------------------------------


def _landing_people(home: Path) -> tuple[set[str], set[str], set[str]]:
    """ID numbers, mobile numbers and full names (3 characters) from the platform rosters."""
    ids, mobiles, names = set(), set(), set()
    for roster in sorted((home / "landing" / "platform").rglob("worker_roster__*.csv"))[:6]:
        raw = roster.read_bytes()
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            text = raw.decode("gbk")
        for record in csv.DictReader(text.splitlines()):
            if len(record.get("姓名") or "") == 3:
                names.add(record["姓名"])
        ids |= {m.decode() for m in ID_LIKE.findall(raw) if valid_id(m.decode())}
        mobiles |= {m.decode() for m in MOBILE_LIKE.findall(raw)}
    return ids, mobiles, names


def test_no_id_mobile_or_name_from_landing_anywhere_else_nor_in_logs(demo_home: Path):
    ids, mobiles, names = _landing_people(demo_home)
    assert len(ids) > 100 and len(mobiles) > 100 and len(names) > 100
    # Names that are also place or reference names would be false alarms.
    reference = "".join(
        p.read_text(encoding="utf-8", errors="ignore")
        for p in (Path(__file__).resolve().parents[1] / "seeds").glob("*.csv")
    )
    names = {n for n in names if n not in reference}
    name_pattern = re.compile("|".join(sorted(map(re.escape, names))))
    places = [
        p
        for p in demo_home.rglob("*")
        if p.is_file() and p.relative_to(demo_home).parts[0] != "landing"
    ]
    logs = [p for p in places if p.suffix in (".log", ".jsonl") or "logs" in p.parts]
    assert any(p.name == "access.jsonl" for p in logs), "the demo's export writes the access log"
    found = []
    for path in places:
        for blob in _texts(path):
            found += [f"{path}: id" for m in ID_LIKE.findall(blob) if m.decode() in ids]
            found += [f"{path}: mobile" for m in MOBILE_LIKE.findall(blob) if m.decode() in mobiles]
            text = blob.decode("utf-8", errors="ignore")
            found += [f"{path}: name {m}" for m in name_pattern.findall(text)[:3]]
    assert found == []
