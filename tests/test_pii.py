"""Personal data at the door: the key, the keyed hash, derived fields, masking, and a scan of
the whole home folder (outside landing/) for ID numbers and mobile numbers."""

from __future__ import annotations

import hashlib
import hmac
import os
import re
import stat
from pathlib import Path

import duckdb
import pyarrow.parquet as pq
import pytest

from warehouse import pii
from warehouse.errors import UserError
from warehouse.generate.identities import check_digits

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
PROVINCES = {"11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36",
             "37", "41", "42", "43", "44", "45", "46", "50", "51", "52", "53", "54", "61", "62",
             "63", "64", "65", "71", "81", "82"}  # fmt: skip
ID_LIKE = re.compile(rb"(?<![0-9A-Za-z.])([0-9]{17}[0-9Xx])(?![0-9A-Za-z])")
MOBILE_LIKE = re.compile(rb"(?<![0-9A-Za-z.])(1[3-9][0-9]{9})(?![0-9A-Za-z])")


def valid_id(text: str) -> bool:
    """A real-looking resident ID number: known province, plausible birth date, check digit."""
    if text[:2] not in PROVINCES or not re.fullmatch(
        r"(19|20)\d\d(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])", text[6:14]
    ):
        return False
    total = sum(int(d) * w for d, w in zip(text[:17], WEIGHTS, strict=True))
    return "10X98765432"[total % 11] == text[17].upper()


def test_check_digit_matches_the_standard() -> None:
    # GB 11643's worked example
    assert valid_id("11010519491231002X")
    assert str(check_digits(__import__("numpy").array(["11010519491231002"]))[0]) == "X"


def test_worker_key_is_hmac_sha256_of_the_normalised_id() -> None:
    key = b"a test key that is long enough"
    con = duckdb.connect()
    expression = pii.worker_key_sql(pii.normalised("?"), key)
    got = con.execute(f"select {expression}", [" 11010519491231002x "]).fetchall()[0][0]
    assert got == hmac.new(key, b"11010519491231002X", hashlib.sha256).hexdigest()


def test_derived_fields_and_mask() -> None:
    con = duckdb.connect()
    con.execute("create table t as select '11010519491231002x' as id, '110105194912310021' as bad")
    derived = pii.derived_sql(pii.normalised("id"), b"k" * 16, "date '2025-06-30'")
    row = con.execute(f"select {derived}, {pii.masked_sql('upper(id)')} from t").fetchall()[0]
    _key, age_band, sex, province, masked = row
    assert (age_band, sex, province) == ("55+", "女", "11")
    assert masked == "110105********002X"
    checks = " || ".join(f"coalesce({c}, '')" for c in pii.id_checks_sql("身份证号", "bad"))
    assert con.execute(f"select {checks} from t").fetchall()[0][0] == "身份证号 校验位错误"


def test_key_comes_from_env_or_a_key_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(pii.KEY_ENV, raising=False)
    key_file = tmp_path / "secrets" / "pii.key"
    monkeypatch.setenv(pii.KEY_FILE_ENV, str(key_file))
    with pytest.raises(UserError, match="XIAOGE_PII_KEY"):
        pii.load_key()
    path, created = pii.ensure_key_file()
    assert (path, created) == (key_file, True)
    assert stat.S_IMODE(os.stat(key_file).st_mode) == 0o600
    assert pii.ensure_key_file() == (key_file, False)
    assert len(pii.load_key()) >= 32
    monkeypatch.setenv(pii.KEY_ENV, "x" * 20)
    assert pii.load_key() == b"x" * 20
    assert pii.ensure_key_file() == (None, False)


def _texts(path: Path) -> list[bytes]:
    """The file's bytes; for Parquet (zstd-compressed) and DuckDB files (bit-packed pages, where
    bytes such as 0x31 0x33 0x33 ... spell "13333333333" by chance) every text value instead."""
    texts = [] if path.suffix in (".parquet", ".duckdb") else [path.read_bytes()]
    if path.suffix == ".parquet":
        table = pq.read_table(path)
        for column in table.columns:
            if str(column.type) in ("string", "large_string"):
                texts.append("\n".join(v for v in column.to_pylist() if v).encode("utf-8"))
    if path.suffix == ".duckdb":
        with duckdb.connect(str(path), read_only=True) as con:
            columns = con.execute(
                "select c.table_schema, c.table_name, c.column_name "
                "from information_schema.columns as c join information_schema.tables as t "
                "using (table_catalog, table_schema, table_name) "
                "where c.data_type = 'VARCHAR' and t.table_type = 'BASE TABLE'"
            ).fetchall()
            for schema, table, column in columns:
                values = con.execute(
                    f'select distinct "{column}" from "{schema}"."{table}" where "{column}" is not null'
                ).fetchall()
                texts.append("\n".join(v[0] for v in values).encode("utf-8"))
    return texts


def test_no_id_or_mobile_number_outside_landing(demo_home: Path) -> None:
    scanned = 0
    found: list[str] = []
    for path in sorted(demo_home.rglob("*")):
        if not path.is_file() or path.relative_to(demo_home).parts[0] == "landing":
            continue
        scanned += 1
        for text in _texts(path):
            found += [f"{path}: id" for m in ID_LIKE.findall(text) if valid_id(m.decode())]
            found += [f"{path}: mobile" for _ in MOBILE_LIKE.findall(text)]
    assert scanned > 100
    assert found == []


def test_landing_files_do_hold_the_raw_numbers_the_scan_looks_for(demo_home: Path) -> None:
    """The scan above is not vacuous: the same patterns find the numbers in landing files."""
    roster = next(
        (demo_home / "landing" / "platform" / "2025-06").glob("worker_roster__meituan.csv")
    )
    text = roster.read_bytes()
    assert sum(valid_id(m.decode()) for m in ID_LIKE.findall(text)) > 100
    assert len(MOBILE_LIKE.findall(text)) > 100


def test_quarantine_keeps_only_a_masked_id(demo_home: Path) -> None:
    parts = list((demo_home / "raw" / "_quarantine" / "platform").rglob("*.parquet"))
    assert parts
    table = pq.read_table(parts[0])
    assert "id_number" not in table.column_names
    assert "worker_name" not in table.column_names and "phone" not in table.column_names
    masked = [v for v in table.column("id_number_masked").to_pylist() if v]
    assert masked and all(re.fullmatch(r"\d{6}\*{8}[\dX]{4}", v) for v in masked)
