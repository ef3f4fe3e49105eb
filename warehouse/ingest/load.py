"""Loading one landing file: decode it, apply the row rules, hold a correction that would
lose rows, and write the delivery's accepted and quarantined rows to the store."""

from __future__ import annotations

import codecs
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from warehouse import pii
from warehouse.config import Home
from warehouse.duck import quote_ident, sql_literal
from warehouse.ingest.corrections import CorrectionLimits, held_message, hold_reason
from warehouse.ingest.decode import read_as_text, to_utf8_csv
from warehouse.ingest.landing import FileRefused, FileResult, LandingFile
from warehouse.ingest.rules import checked_select, month_end_sql, refuse_wrong_month, typed_sql
from warehouse.ingest.store import parts, write_parquet


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
    con.execute(
        "create or replace temp table checked as " + checked_select(source.table, source.month)
    )
    accepted, quarantined = con.execute(
        "select count(*) filter (where len(_reasons) = 0), "
        "count(*) filter (where len(_reasons) > 0) from checked"
    ).fetchall()[0]
    refuse_wrong_month(con, source, rows)
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
            message=held_message(source.relative, before, accepted, reason),
            rows_read=rows,
            rows_accepted=accepted,
            rows_quarantined=quarantined,
            rows_accepted_before=before,
            reason=reason,
        )
    target = parts(home, source.relative, source.table.name, file_checksum)
    reasons: dict[str, int] = {}
    if quarantined:
        write_parquet(con, quarantine_query(source, loaded_at), target.stored_quarantine)
        reasons = dict(
            con.execute(
                "select reason, count(*) from (select unnest(_reasons) as reason from checked) "
                "group by reason"
            ).fetchall()
        )
    else:
        target.stored_quarantine.unlink(missing_ok=True)
    write_parquet(con, accepted_query(source, file_checksum, loaded_at), target.stored)
    return FileResult(
        path=source.relative,
        status="loaded",
        rows_read=rows,
        rows_accepted=accepted,
        rows_quarantined=quarantined,
        rows_accepted_before=before,
        quarantine_reasons=reasons,
    )


def accepted_query(source: LandingFile, file_checksum: str, loaded_at: str) -> str:
    kept = [c for c in source.table.columns if c.pii is None]
    items = [f"{typed_sql(c)} as {c.name}" for c in kept]
    id_column = source.table.id_column
    if id_column is not None:  # pseudonymised: the ID number itself is never written
        id_sql = pii.normalised(quote_ident(id_column.header))
        items.insert(0, pii.derived_sql(id_sql, pii.load_key(), month_end_sql(source.month)))
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


def quarantine_query(source: LandingFile, loaded_at: str) -> str:
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
