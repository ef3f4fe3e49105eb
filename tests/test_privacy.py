"""What is served after the disclosure-control gate, and no personal data where it should not be."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import duckdb
import openpyxl
import pandas as pd
import pytest

from tests.test_pii import ID_LIKE, MOBILE_LIKE, _texts, valid_id
from warehouse.privacy import SUPPRESSED, protected_rows

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


def test_published_rows_have_no_small_person_count(demo_home: Path, people_kpis: set[str]):
    rows = protected_rows(demo_home / "published" / "xiaoge.duckdb")
    mine = rows[rows["kpi_id"].isin(people_kpis)].reset_index(drop=True)
    assert mine["value_suppressed"].any(), "the small demo has small cells; none were hidden"
    for column in ("numerator", "denominator"):
        assert not _small(mine[column]).any(), column
    counts = mine[mine["numerator"].isna() & mine["denominator"].isna()]
    assert not _small(counts["kpi_value"]).any()
    # a rate is hidden with its numerator or denominator
    parts_hidden = mine["numerator_suppressed"] | mine["denominator_suppressed"]
    assert mine.loc[parts_hidden, "value_suppressed"].all()
    assert mine.loc[mine["value_suppressed"], "kpi_value"].isna().all()


def test_served_file_holds_no_person_level_table(demo_home: Path):
    """Marts and seeds only: no worker key, no person-level column, no view into raw files."""
    con = duckdb.connect(str(demo_home / "published" / "xiaoge.duckdb"), read_only=True)
    try:
        tables = con.execute("select table_name, table_type from information_schema.tables").df()
        columns = set(
            con.execute("select column_name from information_schema.columns").df()["column_name"]
        )
        views = con.execute("select sql from duckdb_views() where not internal").df()
    finally:
        con.close()
    assert len(tables) > 20 and set(tables["table_type"]) == {"BASE TABLE"}
    assert views.empty
    assert not [t for t in tables["table_name"] if t.startswith(("stg_", "int_", "snap_"))]
    assert not columns & {"worker_key", "sex", "home_province_code", "income_yuan", "tenure_months"}
    assert {
        "fct_kpi_monthly",
        "fct_workforce_tenure_monthly",
        "fct_worker_cohorts_retained",
    } <= set(tables["table_name"])


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
