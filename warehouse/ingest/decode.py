"""Decoding a landing file: its text encoding, a workbook's first sheet, and the file read
into DuckDB as text with its headers checked against the contract."""

from __future__ import annotations

import codecs
from datetime import date, datetime
from pathlib import Path

import duckdb

from warehouse.ingest.landing import READ_CHUNK, FileRefused, LandingFile


def detect_encoding(path: Path) -> str:
    """UTF-8 (with or without BOM) or GB18030, decided by decoding the whole file strictly."""
    with path.open("rb") as fh:
        head = fh.read(3)
    candidates = ["utf-8-sig"] if head == codecs.BOM_UTF8 else ["utf-8", "gb18030"]
    for encoding in candidates:
        decoder = codecs.getincrementaldecoder(encoding)()
        try:
            with path.open("rb") as fh:
                while chunk := fh.read(READ_CHUNK):
                    decoder.decode(chunk)
            decoder.decode(b"", final=True)
            return encoding
        except UnicodeDecodeError:
            continue
    raise FileRefused(
        "无法识别文本编码(应为 UTF-8 或 GBK/GB18030);请重新导出为 UTF-8 或 GBK 的 CSV"
    )


def to_utf8_csv(source: LandingFile, workdir: Path) -> Path:
    """A UTF-8 CSV copy DuckDB can read (DuckDB reads only UTF-8 without extensions)."""
    if source.ext == "xlsx":
        return xlsx_to_csv(source.path, workdir)
    encoding = detect_encoding(source.path)
    if encoding == "utf-8":
        return source.path
    target = workdir / "utf8.csv"
    with (
        source.path.open("r", encoding=encoding, newline="") as src,
        target.open("w", encoding="utf-8", newline="") as dst,
    ):
        while chunk := src.read(READ_CHUNK):
            dst.write(chunk)
    return target


def xlsx_to_csv(path: Path, workdir: Path) -> Path:
    """The first sheet of a workbook as UTF-8 CSV (calamine: a Rust reader, ~10x openpyxl)."""
    import csv

    from python_calamine import CalamineError, CalamineWorkbook

    target = workdir / "sheet.csv"
    try:
        rows = (
            CalamineWorkbook.from_path(str(path))
            .get_sheet_by_index(0)
            .to_python(skip_empty_area=False)
        )
    except (CalamineError, OSError, ValueError, IndexError):
        raise FileRefused("XLSX 文件已损坏或不完整;请重新导出并上传完整文件") from None
    with target.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        for row in rows:
            writer.writerow(["" if v is None or v == "" else _cell_text(v) for v in row])
    return target


def _cell_text(value: object) -> str:
    if isinstance(value, datetime):
        return (
            value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat()
        )
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def read_as_text(con: duckdb.DuckDBPyConnection, csv_path: Path, source: LandingFile) -> int:
    """Load the file into table `landed` with every column as text; return its row count."""
    try:
        con.execute(
            "create or replace temp table landed as "
            "select row_number() over () as _row_number, * from read_csv(?, header = true, "
            "all_varchar = true, delim = ',', quote = '\"', escape = '\"', "
            "strict_mode = true, max_line_size = 10000000, null_padding = false)",
            [str(csv_path)],
        )
    except duckdb.Error as exc:
        first_line = str(exc).splitlines()[0]
        if source.path.stat().st_size == 0 or "empty" in first_line.lower():
            raise FileRefused("文件为空;请重新导出") from None
        raise FileRefused(
            f"CSV 格式错误({first_line[:120]});请检查分隔符和引号后重新导出"
        ) from None
    headers = [row[0] for row in con.execute("describe landed").fetchall()][1:]
    expected = source.table.headers
    missing = [h for h in expected if h not in headers]
    extra = [h for h in headers if h not in expected]
    if missing or extra:
        problems = []
        if missing:
            problems.append("缺少列 " + "、".join(missing))
        if extra:
            problems.append("多出列 " + "、".join(extra))
        raise FileRefused(
            ";".join(problems)
            + f";请按 docs/sources.md 中 {source.system}.{source.table.name} 的列名导出"
        )
    rows = con.execute("select count(*) from landed").fetchall()[0][0]
    if rows == 0:
        raise FileRefused("文件只有表头没有数据;请重新导出")
    return rows
