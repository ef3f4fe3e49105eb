"""Landing files -> raw zone: contract checks, row quarantine, ledger, atomic Parquet parts.

A landing file lives at `landing/<system>/<YYYY-MM>/<table>[__<sender>].<csv|xlsx>`. Each
accepted file becomes one immutable Parquet part at
`raw/<system>/<table>/month=<YYYY-MM>/<file stem>.parquet`; its rejected rows go to the
same place under `raw/_quarantine/` with one reason per row; the ledger records each file.
"""

from __future__ import annotations

import codecs
import hashlib
import multiprocessing
import os
import re
import tempfile
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

import duckdb

from warehouse import ledger, pii
from warehouse.config import Home
from warehouse.contracts import Column, Table, systems
from warehouse.duck import connect, quote_ident, sql_literal
from warehouse.errors import UserError

LANDING_FILE = re.compile(r"^(?P<table>[a-z_]+?)(?:__(?P<sender>[a-z0-9_]+))?\.(?P<ext>csv|xlsx)$")
MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
READ_CHUNK = 1 << 22
MAX_TEXT_LENGTH = 500
TYPE_NAMES = {
    "integer": "整数",
    "decimal": "数字",
    "date": "日期",
    "datetime": "时间",
    "boolean": "是否值",
}
# A file whose event dates mostly fall outside its month folder was filed under the wrong month.
WRONG_MONTH_SHARE = 0.5


class FileRefused(Exception):
    """The whole file is refused; nothing from it is written."""


@dataclass(frozen=True)
class LandingFile:
    path: Path
    relative: str
    system: str
    month: str
    table: Table
    stem: str
    ext: str
    sender: str | None = None


@dataclass
class FileResult:
    path: str
    status: str  # loaded, skipped, refused
    message: str = ""
    rows_read: int = 0
    rows_accepted: int = 0
    rows_quarantined: int = 0


@dataclass
class IngestReport:
    results: list[FileResult] = field(default_factory=list)

    @property
    def refused(self) -> list[FileResult]:
        return [r for r in self.results if r.status == "refused"]

    def count(self, status: str) -> int:
        return sum(1 for r in self.results if r.status == status)


def discover(home: Home, paths: Iterable[Path] | None) -> list[Path]:
    """The files to consider: the given files and folders, or the whole landing zone."""
    roots = [Path(p).resolve() for p in paths] if paths else [home.landing]
    found: list[Path] = []
    for root in roots:
        if root.is_dir():
            found.extend(
                p for p in sorted(root.rglob("*")) if p.is_file() and not _is_control_file(p)
            )
        elif root.is_file():
            found.append(root)
        else:
            raise UserError(f"{root}: 文件或目录不存在,请检查路径")
    return found


def _is_control_file(path: Path) -> bool:
    """Temporary files and control files (such as the generator's _defects.json) are not data."""
    return path.name.startswith((".", "_"))


def identify(home: Home, path: Path) -> LandingFile:
    """Which contract a file answers to, from where it sits in the landing zone."""
    fix = "landing/<系统>/<YYYY-MM>/<表名>.csv|xlsx"
    try:
        relative = path.resolve().relative_to(home.landing)
    except ValueError:
        raise FileRefused(f"不在落地区 {home.landing} 内;请放到 {fix}") from None
    parts = relative.parts
    if len(parts) != 3:
        raise FileRefused(f"位置不对;请放到 {fix}")
    system_name, month, file_name = parts
    contract = systems().get(system_name)
    if contract is None:
        known = ", ".join(systems())
        raise FileRefused(f"未知的来源系统 {system_name};请放到已知系统的目录: {known}")
    if not MONTH.match(month):
        raise FileRefused(f"月份目录 {month} 不是 YYYY-MM 格式;请按报送月份命名目录,例如 2025-06")
    match = LANDING_FILE.match(file_name)
    table = contract.table(match["table"]) if match else None
    if match is None or table is None:
        known = ", ".join(t.name for t in contract.tables)
        raise FileRefused(
            f"未知文件 {file_name};请按表名命名文件({system_name} 系统的表: {known},扩展名 .csv 或 .xlsx)"
        )
    sender = match["sender"]
    if contract.senders is not None and sender not in contract.senders.values():
        known = ", ".join(sorted(contract.senders.values()))
        raise FileRefused(
            f"文件名 {file_name} 缺少或写错了报送方代码;请命名为 {match['table']}__<代码>,代码之一: {known}"
        )
    return LandingFile(
        path=path,
        relative=relative.as_posix(),
        system=system_name,
        month=month,
        table=table,
        stem=Path(file_name).stem,
        ext=match["ext"],
        sender=sender,
    )


def checksum(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(READ_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


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


def _typed(column: Column) -> str:
    """SQL turning the landed text of a column into its contract type (NULL when it cannot)."""
    text = f"nullif(trim({quote_ident(column.header)}), '')"
    if column.type == "date":
        return f"try_cast(replace({text}, '/', '-') as date)"
    if column.type == "string":
        return text
    return f"try_cast({text} as {column.duckdb_type})"


def _row_checks(column: Column, month_start: str) -> list[str]:
    """SQL expressions each giving a reason (text) when a row breaks a rule of this column."""
    header = column.header
    text = f"nullif(trim({quote_ident(header)}), '')"
    typed = _typed(column)
    checks = []
    if column.pii == "id_number":
        checks.extend(pii.id_checks_sql(header, pii.normalised(text)))
    if column.required:
        checks.append(f"case when {text} is null then '{header} 为空' end")
    if column.type != "string":
        checks.append(
            f"case when {text} is not null and {typed} is null "
            f"then '{header} 不是有效的{TYPE_NAMES[column.type]}: ' || left({text}, 40) end"
        )
    elif column.pii is None:
        # A cell a spreadsheet would run as a formula when the data is opened again.
        checks.append(
            f"case when regexp_matches({quote_ident(header)}, '^\\s*[=+@\\t\\r]') "
            f"then '{header} 疑似公式注入(以 = + @ 开头)' end"
        )
        checks.append(
            f"case when length({text}) > {MAX_TEXT_LENGTH} "
            f"then '{header} 超过 {MAX_TEXT_LENGTH} 个字符' end"
        )
    allowed = column.allowed_values()
    if allowed is not None:
        values = ", ".join(sql_literal(v) for v in sorted(allowed))
        checks.append(
            f"case when {text} is not null and {text} not in ({values}) "
            f"then '{header} 代码未知: ' || left({text}, 40) end"
        )
    if column.minimum is not None:
        checks.append(
            f"case when {typed} < {column.minimum} then '{header} 小于 {column.minimum:g}' end"
        )
    month_end = f"(date '{month_start}' + interval 1 month - interval 1 day)"
    if column.not_after_month_end:
        checks.append(f"case when {typed} > {month_end} then '{header} 晚于报送月份' end")
    if column.within_month:
        checks.append(
            f"case when {typed} < date '{month_start}' or {typed} > {month_end} "
            f"then '{header} 不在报送月份内' end"
        )
    return checks


def _validate(con: duckdb.DuckDBPyConnection, source: LandingFile) -> None:
    """Add a `reasons` list to every landed row (empty when the row is good)."""
    month_start = f"{source.month}-01"
    checks = [c for col in source.table.columns for c in _row_checks(col, month_start)]
    key = ", ".join(_typed(source.table.column(k)) for k in source.table.key)
    key_text = " || '/' || ".join(
        f"coalesce({_key_text(source.table.column(k))}, '')" for k in source.table.key
    )
    con.execute(
        f"""
        create or replace temp table checked as
        select *,
            list_filter([
                {", ".join(checks)},
                case when row_number() over (partition by {key} order by _row_number) > 1
                     then '主键重复: ' || {key_text} end
            ], lambda r: r is not null) as _reasons
        from landed
        """
    )


def _key_text(column: Column) -> str:
    """A key column as a duplicate's reason shows it (an ID number masked)."""
    if column.pii is not None:
        return pii.masked_sql(quote_ident(column.header))
    return f"{_typed(column)}::varchar"


def _month_end_sql(month: str) -> str:
    return f"(date '{month}-01' + interval 1 month - interval 1 day)"


def _refuse_wrong_month(con: duckdb.DuckDBPyConnection, source: LandingFile, rows: int) -> None:
    """Refuse a file whose event dates mostly lie in another month than its folder says."""
    for column in (c for c in source.table.columns if c.within_month):
        months = con.execute(
            f"select strftime({_typed(column)}, '%Y-%m') as m, count(*) from landed "
            f"where {_typed(column)} is not null group by m order by count(*) desc"
        ).fetchall()
        outside = sum(n for month, n in months if month != source.month)
        if months and outside > rows * WRONG_MONTH_SHARE:
            raise FileRefused(
                f"{column.header} 多数在 {months[0][0]},与目录月份 {source.month} 不符;"
                f"请把文件放到 landing/{source.system}/{months[0][0]}/ 或重新导出 {source.month} 的数据"
            )


def _write_parquet(con: duckdb.DuckDBPyConnection, query: str, target: Path) -> None:
    """Write a query's rows to a Parquet file atomically (temporary name, then rename)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.tmp")
    con.execute(f"copy ({query}) to {sql_literal(str(tmp))} (format parquet, compression zstd)")
    os.replace(tmp, target)


def _accepted_query(source: LandingFile, file_checksum: str, loaded_at: str) -> str:
    kept = [c for c in source.table.columns if c.pii is None]
    items = [f"{_typed(c)} as {c.name}" for c in kept]
    id_column = source.table.id_column
    if id_column is not None:  # pseudonymised: the ID number itself is never written
        id_sql = pii.normalised(quote_ident(id_column.header))
        items.insert(0, pii.derived_sql(id_sql, pii.load_key(), _month_end_sql(source.month)))
    columns = ",\n".join(items)
    sender = sql_literal(source.sender) if source.sender else "cast(null as varchar)"
    return f"""
        select {columns},
            {sql_literal(source.month)} as _delivery_month,
            {sender} as _sender,
            {sql_literal(source.relative)} as _source_file,
            {sql_literal(file_checksum)} as _file_checksum,
            timestamp {sql_literal(loaded_at)} as _loaded_at
        from checked where len(_reasons) = 0 order by _row_number
    """


def _quarantine_query(source: LandingFile, loaded_at: str) -> str:
    """Rejected rows as they arrived, minus personal data, with their reasons."""
    kept = [c for c in source.table.columns if c.pii is None]
    items = [f"{quote_ident(c.header)} as {c.name}" for c in kept]
    id_column = source.table.id_column
    if id_column is not None:  # only a masked ID such as 330102********123X
        items.insert(
            0, f"{pii.masked_sql(quote_ident(id_column.header))} as {id_column.name}_masked"
        )
    columns = ", ".join(items)
    return f"""
        select _row_number as source_row, {columns},
            array_to_string(_reasons, ';') as reason,
            {sql_literal(source.relative)} as _source_file,
            timestamp {sql_literal(loaded_at)} as _loaded_at
        from checked where len(_reasons) > 0 order by _row_number
    """


def part_path(home: Home, source: LandingFile, zone: str = "") -> Path:
    base = home.raw / zone if zone else home.raw
    return (
        base
        / source.system
        / source.table.name
        / f"month={source.month}"
        / f"{source.stem}.parquet"
    )


def ingest_file(
    home: Home,
    con: duckdb.DuckDBPyConnection,
    workdir: Path,
    source: LandingFile,
    file_checksum: str,
) -> FileResult:
    loaded_at = datetime.now(UTC).replace(tzinfo=None).isoformat(sep=" ", timespec="seconds")
    if not source.path.read_bytes()[:4096].strip(codecs.BOM_UTF8 + b" \r\n\t"):
        raise FileRefused("文件为空;请重新导出")
    rows = read_as_text(con, to_utf8_csv(source, workdir), source)
    _validate(con, source)
    accepted, quarantined = con.execute(
        "select count(*) filter (where len(_reasons) = 0), "
        "count(*) filter (where len(_reasons) > 0) from checked"
    ).fetchall()[0]
    _refuse_wrong_month(con, source, rows)
    quarantine = part_path(home, source, "_quarantine")
    if quarantined:
        _write_parquet(con, _quarantine_query(source, loaded_at), quarantine)
    elif quarantine.exists():
        quarantine.unlink()  # a corrected re-delivery with no bad rows left
    _write_parquet(con, _accepted_query(source, file_checksum, loaded_at), part_path(home, source))
    return FileResult(
        path=source.relative,
        status="loaded",
        rows_read=rows,
        rows_accepted=accepted,
        rows_quarantined=quarantined,
    )


# Files are loaded in this many processes (DuckDB planning and Parquet writing are per file).
WORKERS = min(2, os.cpu_count() or 1)
PARALLEL_FROM = 16  # below this many files, starting processes costs more than it saves
_worker: dict = {}


def ingest(
    home: Home,
    paths: Iterable[Path] | None = None,
    on_file: Callable[[FileResult], None] | None = None,
) -> IngestReport:
    """Load every new landing file; refuse bad files whole, quarantine bad rows."""
    home.ensure()
    book = ledger.Ledger(home)
    known = book.loaded_files()
    report = IngestReport()

    def done(result: FileResult) -> None:
        report.results.append(result)
        if on_file:
            on_file(result)

    todo: list[tuple[LandingFile, str]] = []
    for path in discover(home, paths):
        try:
            source = identify(home, path)
        except FileRefused as refusal:
            done(FileResult(str(path), "refused", str(refusal)))
            continue
        file_checksum = checksum(path)
        if (source.relative, file_checksum) in known:
            done(FileResult(source.relative, "skipped", "已导入过(校验和相同),跳过"))
        else:
            todo.append((source, file_checksum))
    with tempfile.TemporaryDirectory(prefix="xiaoge-ingest-") as scratch:
        try:
            for (source, file_checksum), result in zip(
                todo, _load_all(home, todo, Path(scratch)), strict=True
            ):
                if result.status == "loaded":
                    book.record(source, file_checksum, result)
                done(result)
        finally:
            book.save()
    return report


def _load_all(
    home: Home, todo: list[tuple[LandingFile, str]], scratch: Path
) -> Iterator[FileResult]:
    """Each file's result, in order; in worker processes when there are many files."""
    if len(todo) < PARALLEL_FROM or WORKERS < 2:
        _start_worker(scratch)
        yield from (_load(home, source, file_checksum) for source, file_checksum in todo)
        return
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(
        WORKERS, mp_context=context, initializer=_start_worker, initargs=(scratch,)
    ) as pool:
        yield from pool.map(_load, [home] * len(todo), *zip(*todo, strict=True), chunksize=4)


def _start_worker(scratch: Path) -> None:
    """One DuckDB connection and scratch folder per process, for all the files it loads."""
    workdir = scratch / str(os.getpid())
    workdir.mkdir(exist_ok=True)
    _worker["con"], _worker["workdir"] = connect(), workdir


def _load(home: Home, source: LandingFile, file_checksum: str) -> FileResult:
    try:
        return ingest_file(home, _worker["con"], _worker["workdir"], source, file_checksum)
    except FileRefused as refusal:
        return FileResult(str(source.path), "refused", str(refusal))
