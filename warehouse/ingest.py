"""Landing files -> raw zone: contract checks, row quarantine, ledger, atomic Parquet parts.

A landing file lives at `landing/<system>/<YYYY-MM>/<table>[__<sender>].<csv|xlsx>`. Each
delivery of it (its bytes at one time) is checked, and its accepted and rejected rows are kept
in the delivery store, `raw/_deliveries/<system>/<table>/month=<YYYY-MM>/<file stem>/<sha256>
[.quarantine].parquet`, for good. The file's current delivery is what dbt reads: the same
Parquet file hard-linked at `raw/<system>/<table>/month=<YYYY-MM>/<file stem>.parquet` (its
rejected rows at the same place under `raw/_quarantine/`). The ledger records every delivery
and says which one is current.

A re-delivery that would lose rows (accepted rows down by more than XIAOGE_CORRECTION_MAX_DROP,
or more than XIAOGE_CORRECTION_MAX_QUARANTINE of its rows quarantined) is held: nothing is
written to the raw zone, the hold is noted in `held/corrections.json`, and
`accept_correction` applies it (read again from landing) once a person has looked at it.
`revert` makes a file's previous delivery current again.

Crash safety: new deliveries are written to the store first; then a journal names the files
whose current delivery changes, the ledger is saved (the commit), the current parts are
linked, and the journal is removed. A run that finds a journal re-links the files it names
from the ledger, so a run killed at any point leaves the current parts as the saved ledger
says, and its next run loads what was not committed, without doubling or losing rows.
"""

from __future__ import annotations

import codecs
import hashlib
import json
import multiprocessing
import os
import re
import shutil
import tempfile
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

import duckdb

from warehouse import homelock, ledger, pii, strict_json
from warehouse.config import Home, env_number
from warehouse.contracts import Column, Table, systems
from warehouse.crashpoints import pause_point
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
    status: str  # loaded, skipped, refused, held
    message: str = ""
    rows_read: int = 0
    rows_accepted: int = 0
    rows_quarantined: int = 0
    rows_accepted_before: int | None = None  # the current delivery's, for a re-delivery
    reason: str = ""  # why a re-delivery is held


@dataclass
class IngestReport:
    results: list[FileResult] = field(default_factory=list)

    @property
    def refused(self) -> list[FileResult]:
        return [r for r in self.results if r.status == "refused"]

    @property
    def held(self) -> list[FileResult]:
        return [r for r in self.results if r.status == "held"]

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


# --- where a delivery's rows live ------------------------------------------------------------

DELIVERIES = "_deliveries"  # every delivery's parts, current or not: never read by dbt
QUARANTINE = "_quarantine"  # the current deliveries' rejected rows
JOURNAL = "_ledger.journal.json"  # files whose current parts are being switched


@dataclass(frozen=True)
class Parts:
    """The Parquet files of one delivery: kept in the store, and linked as the current parts
    when it is its file's current delivery."""

    current: Path
    current_quarantine: Path
    stored: Path
    stored_quarantine: Path


def parts(home: Home, file_path: str, table: str, checksum: str) -> Parts:
    """The parts of the delivery of landing file `file_path` (system/month/name) with this
    checksum, as a ledger row names them."""
    system, month, name = file_path.split("/")
    folder = Path(system) / table / f"month={month}"
    stem = Path(name).stem
    store = home.raw / DELIVERIES / folder / stem
    return Parts(
        current=home.raw / folder / f"{stem}.parquet",
        current_quarantine=home.raw / QUARANTINE / folder / f"{stem}.parquet",
        stored=store / f"{checksum}.parquet",
        stored_quarantine=store / f"{checksum}.quarantine.parquet",
    )


def _row_parts(home: Home, row: dict) -> Parts:
    return parts(home, row["file_path"], row["table_name"], row["checksum"])


def part_path(home: Home, source: LandingFile, zone: str = "") -> Path:
    """A file's current part (or, with zone `_quarantine`, its current rejected rows)."""
    base = home.raw / zone if zone else home.raw
    return (
        base
        / source.system
        / source.table.name
        / f"month={source.month}"
        / f"{source.stem}.parquet"
    )


# --- corrections that would lose rows are held ------------------------------------------------

MAX_DROP_ENV = "XIAOGE_CORRECTION_MAX_DROP"
MAX_QUARANTINE_ENV = "XIAOGE_CORRECTION_MAX_QUARANTINE"
DEFAULT_MAX_SHARE = 0.2


@dataclass(frozen=True)
class CorrectionLimits:
    """How much a re-delivery may lose before a person has to accept it (shares, 0..1)."""

    max_drop: float = DEFAULT_MAX_SHARE  # of the current delivery's accepted rows
    max_quarantine: float = DEFAULT_MAX_SHARE  # of the re-delivery's rows


def correction_limits() -> CorrectionLimits:
    return CorrectionLimits(_share(MAX_DROP_ENV), _share(MAX_QUARANTINE_ENV))


def _share(variable: str) -> float:
    return env_number(
        variable, DEFAULT_MAX_SHARE, low=0, high=1, fix="请设为 0 到 1 之间的比例,例如 0.2"
    )


def hold_reason(
    previous: dict,
    rows_read: int,
    rows_accepted: int,
    rows_quarantined: int,
    limits: CorrectionLimits,
) -> str | None:
    """Why a re-delivery must wait for a person (None: apply it). `previous` is the ledger row
    of the file's current delivery.

    Held when it would lower the file's accepted rows by more than `max_drop`, or when more
    than `max_quarantine` of its rows are quarantined and that is a larger share than the
    current delivery's (a correction that improves a bad file is not held for being bad).
    """
    reasons = []
    before = previous["rows_accepted"]
    if before > 0 and (before - rows_accepted) / before > limits.max_drop:
        reasons.append(
            f"入库行减少 {(before - rows_accepted) / before:.0%},超过上限 {limits.max_drop:.0%}"
        )
    share = rows_quarantined / rows_read if rows_read else 0.0
    share_before = (
        previous["rows_quarantined"] / previous["rows_read"] if previous["rows_read"] else 0.0
    )
    if share > limits.max_quarantine and share > share_before:
        reasons.append(
            f"隔离 {rows_quarantined}/{rows_read} 行({share:.0%}),超过上限 {limits.max_quarantine:.0%}"
        )
    return ";".join(reasons) or None


def accept_command(file_path: str) -> str:
    return f"xiaoge ingest --accept-correction {file_path}"


class HeldCorrections:
    """Re-deliveries waiting for a person, by landing path: `held/corrections.json` under the
    home, outside the raw zone (a held correction changes nothing there). Only the numbers
    are kept; accepting one reads the landing file again."""

    def __init__(self, home: Home) -> None:
        self.path = held_file(home)
        self.items: dict[str, dict] = {}
        if self.path.exists():
            data = json.loads(self.path.read_text(encoding="utf-8"))
            self.items = {item["file_path"]: item for item in data["held"]}
        self.changed = False

    def get(self, file_path: str) -> dict | None:
        return self.items.get(file_path)

    def put(self, item: dict) -> None:
        self.items[item["file_path"]] = item
        self.changed = True

    def drop(self, file_path: str) -> None:
        if self.items.pop(file_path, None) is not None:
            self.changed = True

    def save(self) -> None:
        if not self.changed:
            return
        self.path.parent.mkdir(exist_ok=True)
        data = {"held": [self.items[key] for key in sorted(self.items)]}
        _write_json_atomic(self.path, data)
        self.changed = False


def held_file(home: Home) -> Path:
    return home.root / "held" / "corrections.json"


def held_corrections(home: Home) -> list[dict]:
    """The corrections waiting for a person, each with the command that applies it."""
    return [
        item | {"command": accept_command(item["file_path"])}
        for item in HeldCorrections(home).items.values()
    ]


def _write_json_atomic(path: Path, data: dict) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(strict_json.dumps(data, indent=2), encoding="utf-8")
    os.replace(tmp, path)


# --- loading one file -------------------------------------------------------------------------


def ingest_file(
    home: Home,
    con: duckdb.DuckDBPyConnection,
    workdir: Path,
    source: LandingFile,
    file_checksum: str,
    previous: dict | None = None,
    limits: CorrectionLimits | None = None,
) -> FileResult:
    """Check a file and write its delivery's parts to the store (not yet current).

    With `previous` (the ledger row of the file's current delivery) and `limits`, a
    re-delivery that would lose too many rows is held: the result says why and nothing is
    written. Without `limits` (an accepted correction) it is written whatever it loses.
    """
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
    before = previous["rows_accepted"] if previous else None
    reason = (
        hold_reason(previous, rows, accepted, quarantined, limits)
        if previous is not None and limits is not None
        else None
    )
    if reason is not None:
        return FileResult(
            path=source.relative,
            status="held",
            message=_held_message(source.relative, before, accepted, reason),
            rows_read=rows,
            rows_accepted=accepted,
            rows_quarantined=quarantined,
            rows_accepted_before=before,
            reason=reason,
        )
    target = parts(home, source.relative, source.table.name, file_checksum)
    if quarantined:
        _write_parquet(con, _quarantine_query(source, loaded_at), target.stored_quarantine)
    else:
        target.stored_quarantine.unlink(missing_ok=True)
    _write_parquet(con, _accepted_query(source, file_checksum, loaded_at), target.stored)
    return FileResult(
        path=source.relative,
        status="loaded",
        rows_read=rows,
        rows_accepted=accepted,
        rows_quarantined=quarantined,
        rows_accepted_before=before,
    )


def _held_message(file_path: str, before: int | None, after: int, reason: str) -> str:
    return (
        f"更正会使入库行从 {before} 变为 {after}:{reason};已暂缓,已入库的数据未改动,"
        f"核对无误后运行 {accept_command(file_path)}"
    )


# --- committing: journal, ledger, current parts -----------------------------------------------


def _commit(home: Home, book: ledger.Ledger, changed: list[str]) -> None:
    """Save the ledger and make the current parts of the changed files match it.

    The journal written first names those files, so that a run killed after the ledger is
    saved and before every part is switched is finished by `recover` at the next start.
    """
    if not changed:
        return
    journal = home.raw / JOURNAL
    files = sorted(set(changed))
    _write_json_atomic(journal, {"files": files})
    pause_point("ingest-ledger", home.root)
    book.save()
    pause_point("ingest-switch", home.root)
    for file_path in files:
        _switch(home, book, file_path)
    journal.unlink()


def _switch(home: Home, book: ledger.Ledger, file_path: str) -> None:
    """Link a file's current delivery (per the ledger) as its current parts."""
    row = book.current(file_path)
    if row is None:
        return
    target = _row_parts(home, row)
    if not target.stored.exists():
        return  # loaded before the delivery store existed: its current part is its only copy
    _link(target.stored, target.current)
    if row["rows_quarantined"] and target.stored_quarantine.exists():
        _link(target.stored_quarantine, target.current_quarantine)
    else:
        target.current_quarantine.unlink(missing_ok=True)


def _keep(home: Home, row: dict | None) -> None:
    """Make sure a delivery that stops being current is in the store (one loaded before the
    store existed has its current parts only): link them there before they are replaced."""
    if row is None:
        return
    target = _row_parts(home, row)
    if not target.stored.exists() and target.current.exists():
        _link(target.current, target.stored)
        if target.current_quarantine.exists():
            _link(target.current_quarantine, target.stored_quarantine)


def _link(source: Path, target: Path) -> None:
    """Put `source`'s file at `target` atomically: a hard link (no copy), or a copy where the
    file system has none."""
    if target.exists() and os.path.samefile(source, target):
        return
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.tmp")
    tmp.unlink(missing_ok=True)
    try:
        os.link(source, tmp)
    except OSError:
        shutil.copyfile(source, tmp)
    os.replace(tmp, target)


def recover(home: Home, lock: homelock.Lock) -> None:
    """Finish what a killed ingest left: switch the files its journal names to the ledger's
    current deliveries; after any command that died holding the lock, remove its temporary
    files and the stored parts of deliveries it never recorded."""
    journal = home.raw / JOURNAL
    if journal.exists():
        book = ledger.Ledger(home)
        for file_path in json.loads(journal.read_text(encoding="utf-8"))["files"]:
            _switch(home, book, file_path)
        journal.unlink()
    if lock.interrupted is None:
        return
    book = ledger.Ledger(home)
    recorded = set()
    for row in book.rows:
        target = _row_parts(home, row)
        recorded |= {target.stored, target.stored_quarantine}
    for path in home.raw.rglob(".*.tmp"):
        path.unlink(missing_ok=True)
    store = home.raw / DELIVERIES
    for path in store.rglob("*.parquet") if store.exists() else []:
        if path not in recorded:
            path.unlink()


# --- the ingest run ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Job:
    source: LandingFile
    checksum: str
    previous: dict | None  # the ledger row of the file's current delivery
    limits: CorrectionLimits | None  # None: apply whatever it loses (an accepted correction)


# Files are loaded in this many processes (DuckDB planning and Parquet writing are per file).
WORKERS = min(2, os.cpu_count() or 1)
PARALLEL_FROM = 16  # below this many files, starting processes costs more than it saves
_worker: dict = {}


def ingest(
    home: Home,
    paths: Iterable[Path] | None = None,
    on_file: Callable[[FileResult], None] | None = None,
    on_wait: Callable[[str], None] | None = None,
) -> IngestReport:
    """Load every new landing file; refuse bad files whole, quarantine bad rows, hold
    re-deliveries that would lose rows."""
    home.ensure()
    limits = correction_limits()
    with homelock.exclusive(home, "ingest", on_wait) as lock:
        recover(home, lock)
        return _ingest(home, discover(home, paths), limits, on_file)


def _ingest(
    home: Home,
    found: list[Path],
    limits: CorrectionLimits,
    on_file: Callable[[FileResult], None] | None,
) -> IngestReport:
    book = ledger.Ledger(home)
    held = HeldCorrections(home)
    reverted = {(r["file_path"], r["checksum"]) for r in book.rows if r["status"] == "reverted"}
    report = IngestReport()

    def done(result: FileResult) -> None:
        report.results.append(result)
        if on_file:
            on_file(result)

    todo: list[Job] = []
    seen: set[str] = set()
    for path in dict.fromkeys(found):  # a file named twice is loaded once
        try:
            source = identify(home, path)
        except FileRefused as refusal:
            done(FileResult(str(path), "refused", str(refusal)))
            continue
        seen.add(source.relative)
        file_checksum = checksum(path)
        current = book.current(source.relative)
        waiting = held.get(source.relative)
        if waiting is not None and waiting["checksum"] != file_checksum:
            held.drop(source.relative)  # replaced in landing since it was held: look again
            waiting = None
        if current is not None and current["checksum"] == file_checksum:
            held.drop(source.relative)
            done(FileResult(source.relative, "skipped", "已导入过(校验和相同),跳过"))
        elif (source.relative, file_checksum) in reverted:
            done(
                FileResult(
                    source.relative,
                    "skipped",
                    "这一版已被撤回(xiaoge ingest --revert),跳过;如需导入,请报送新的文件",
                )
            )
        elif waiting is not None:
            done(_still_held(waiting))
        else:
            todo.append(Job(source, file_checksum, current, limits))
    _forget_stale_holds(home, held, seen)
    changed: list[str] = []
    with tempfile.TemporaryDirectory(prefix="xiaoge-ingest-") as scratch:
        try:
            for job, result in zip(todo, _load_all(home, todo, Path(scratch)), strict=True):
                if result.status == "loaded":
                    _keep(home, job.previous)
                    book.record(job.source, job.checksum, result)
                    changed.append(job.source.relative)
                    held.drop(job.source.relative)
                elif result.status == "held":
                    held.put(_held_item(job, result))
                done(result)
        finally:
            pause_point("ingest-commit", home.root)
            _commit(home, book, changed)
            held.save()
    return report


def _held_item(job: Job, result: FileResult) -> dict:
    previous = job.previous or {}
    return {
        "file_path": job.source.relative,
        "checksum": job.checksum,
        "system": job.source.system,
        "table_name": job.source.table.name,
        "month": job.source.month,
        "rows_read": result.rows_read,
        "rows_accepted": result.rows_accepted,
        "rows_quarantined": result.rows_quarantined,
        "current_checksum": previous.get("checksum"),
        "current_rows_accepted": previous.get("rows_accepted"),
        "reason": result.reason,
        "held_at": datetime.now(UTC).replace(tzinfo=None).isoformat(timespec="seconds"),
    }


def _still_held(item: dict) -> FileResult:
    """A held correction met again, unchanged: held again, from its numbers (not re-read)."""
    before, after = item["current_rows_accepted"], item["rows_accepted"]
    return FileResult(
        path=item["file_path"],
        status="held",
        message=_held_message(item["file_path"], before, after, item["reason"]),
        rows_read=item["rows_read"],
        rows_accepted=after,
        rows_quarantined=item["rows_quarantined"],
        rows_accepted_before=before,
        reason=item["reason"],
    )


def _forget_stale_holds(home: Home, held: HeldCorrections, seen: set[str]) -> None:
    """Holds whose landing file is gone or was replaced are dropped: only what is in landing
    now can be accepted (a replaced file is looked at again when it is ingested)."""
    for file_path, item in list(held.items.items()):
        if file_path in seen:
            continue
        path = home.landing / file_path
        if not path.is_file() or checksum(path) != item["checksum"]:
            held.drop(file_path)


def _load_all(home: Home, todo: list[Job], scratch: Path) -> Iterator[FileResult]:
    """Each file's result, in order; in worker processes when there are many files."""
    if len(todo) < PARALLEL_FROM or WORKERS < 2:
        _start_worker(scratch)
        yield from (_load(home, job) for job in todo)
        return
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(
        WORKERS, mp_context=context, initializer=_start_worker, initargs=(scratch,)
    ) as pool:
        yield from pool.map(_load, [home] * len(todo), todo, chunksize=4)


def _start_worker(scratch: Path) -> None:
    """One DuckDB connection and scratch folder per process, for all the files it loads."""
    workdir = scratch / str(os.getpid())
    workdir.mkdir(exist_ok=True)
    _worker["con"], _worker["workdir"] = connect(), workdir


def _load(home: Home, job: Job) -> FileResult:
    try:
        return ingest_file(
            home,
            _worker["con"],
            _worker["workdir"],
            job.source,
            job.checksum,
            job.previous,
            job.limits,
        )
    except FileRefused as refusal:
        return FileResult(str(job.source.path), "refused", str(refusal))


# --- operator actions: accept a held correction, revert a delivery ----------------------------


def landing_relative(home: Home, file: Path | str) -> str:
    """A landing file's path relative to landing/, from a path (absolute, or relative to the
    working folder) or from the landing-relative path the messages print."""
    given = Path(file).expanduser()
    candidates = [given.resolve()]
    if not given.is_absolute():
        candidates.append((home.landing / given).resolve())
    inside = []
    for candidate in candidates:
        try:
            inside.append((candidate, candidate.relative_to(home.landing).as_posix()))
        except ValueError:
            continue
    for candidate, relative in inside:
        if candidate.exists():
            return relative
    if inside:
        return inside[-1][1]
    raise UserError(
        f"{file} 不在落地区 {home.landing} 内;请给出落地区中的文件,"
        "例如 platform/2025-06/worker_roster__meituan.csv"
    )


def accept_correction(
    home: Home, file: Path | str, on_wait: Callable[[str], None] | None = None
) -> FileResult:
    """Apply a held correction: read the landing file again and make it current whatever it
    loses; the ledger notes that an operator accepted it."""
    home.ensure()
    with homelock.exclusive(home, "ingest", on_wait) as lock:
        recover(home, lock)
        relative = landing_relative(home, file)
        held = HeldCorrections(home)
        item = held.get(relative)
        if item is None:
            raise UserError(f"{relative} 没有暂缓的更正;暂缓的更正见 xiaoge status")
        path = home.landing / relative
        if not path.is_file():
            raise UserError(f"{relative} 已不在落地区,无法应用暂缓的更正;请让报送方重新报送")
        file_checksum = checksum(path)
        if file_checksum != item["checksum"]:
            raise UserError(
                f"{relative} 在暂缓后又被替换,未应用;请先运行 xiaoge ingest {relative} 重新检查"
            )
        try:
            source = identify(home, path)
        except FileRefused as refusal:
            raise UserError(f"{relative}: {refusal}") from None
        book = ledger.Ledger(home)
        previous = book.current(relative)
        with tempfile.TemporaryDirectory(prefix="xiaoge-ingest-") as scratch:
            workdir = Path(scratch)
            with connect() as con:
                try:
                    result = ingest_file(home, con, workdir, source, file_checksum, previous)
                except FileRefused as refusal:
                    raise UserError(f"{relative}: {refusal}") from None
        stamp = datetime.now(UTC).replace(tzinfo=None).isoformat(sep=" ", timespec="seconds")
        before = previous["rows_accepted"] if previous else 0
        note = (
            f"{stamp} 操作员确认应用暂缓的更正:入库行 {before} -> {result.rows_accepted}:"
            f"{item['reason']}"
        )
        _keep(home, previous)
        book.record(source, file_checksum, result, accepted_by_operator=True, note=note)
        _commit(home, book, [relative])
        held.drop(relative)
        held.save()
        return result


@dataclass(frozen=True)
class Reverted:
    file_path: str
    taken_back: dict  # the ledger row of the delivery that was current
    restored: dict  # the ledger row of the delivery that is current again


def revert(home: Home, file: Path | str, on_wait: Callable[[str], None] | None = None) -> Reverted:
    """Make a file's previous delivery current again; the current one becomes `reverted`."""
    home.ensure()
    with homelock.exclusive(home, "ingest", on_wait) as lock:
        recover(home, lock)
        relative = landing_relative(home, file)
        book = ledger.Ledger(home)
        current = book.current(relative)
        if current is None:
            raise UserError(f"{relative} 没有导入过,无从撤回;已导入的文件见 xiaoge status")
        previous = book.restorable(relative)
        if previous is None:
            why = (
                "只导入过当前这一版"
                if len(book.deliveries(relative)) == 1
                else "当前版本之前没有未被撤回的版本"
            )
            raise UserError(f"{relative} 没有更早的导入版本可恢复({why}),未撤回")
        if not _row_parts(home, previous).stored.exists():
            raise UserError(
                f"{relative} 的上一版导入于旧版本程序,其数据未保留,无法恢复;"
                "请让报送方重新报送那一版"
            )
        _keep(home, current)
        taken_back, restored = book.revert(relative)
        _commit(home, book, [relative])
        return Reverted(relative, taken_back, restored)
