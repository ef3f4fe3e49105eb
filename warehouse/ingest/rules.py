"""Row rules as SQL: what each contract column demands of a landed row, and the file rule
that refuses a file filed under the wrong month.

The builders take a contract's columns or table and return SQL over the table `landed` (every
column as text, plus `_row_number`), so each rule can be tried on a small in-memory table.
"""

from __future__ import annotations

import duckdb

from warehouse import pii
from warehouse.contracts import Column, Table
from warehouse.duck import quote_ident, sql_literal
from warehouse.ingest.landing import FileRefused, LandingFile

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


def typed_sql(column: Column) -> str:
    """SQL turning the landed text of a column into its contract type (NULL when it cannot)."""
    text = f"nullif(trim({quote_ident(column.header)}), '')"
    if column.type == "date":
        return f"try_cast(replace({text}, '/', '-') as date)"
    if column.type == "string":
        return text
    return f"try_cast({text} as {column.duckdb_type})"


def row_check_sqls(column: Column, month_start: str) -> list[str]:
    """SQL expressions each giving a reason (text) when a row breaks a rule of this column."""
    header = column.header
    text = f"nullif(trim({quote_ident(header)}), '')"
    typed = typed_sql(column)
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


def checked_select(table: Table, month: str) -> str:
    """SQL selecting every landed row with a `_reasons` list (empty when the row is good): the
    contract's column rules for a file of month `month` (YYYY-MM), and the duplicate-key rule."""
    month_start = f"{month}-01"
    checks = [c for col in table.columns for c in row_check_sqls(col, month_start)]
    key = ", ".join(typed_sql(table.column(k)) for k in table.key)
    key_text = " || '/' || ".join(
        f"coalesce({key_text_sql(table.column(k))}, '')" for k in table.key
    )
    return f"""
        select *,
            list_filter([
                {", ".join(checks)},
                case when row_number() over (partition by {key} order by _row_number) > 1
                     then '主键重复: ' || {key_text} end
            ], lambda r: r is not null) as _reasons
        from landed
        """


def key_text_sql(column: Column) -> str:
    """A key column as a duplicate's reason shows it (an ID number masked)."""
    if column.pii is not None:
        return pii.masked_sql(quote_ident(column.header))
    return f"{typed_sql(column)}::varchar"


def month_end_sql(month: str) -> str:
    return f"(date '{month}-01' + interval 1 month - interval 1 day)"


def refuse_wrong_month(con: duckdb.DuckDBPyConnection, source: LandingFile, rows: int) -> None:
    """Refuse a file whose event dates mostly lie in another month than its folder says."""
    for column in (c for c in source.table.columns if c.within_month):
        months = con.execute(
            f"select strftime({typed_sql(column)}, '%Y-%m') as m, count(*) from landed "
            f"where {typed_sql(column)} is not null group by m order by count(*) desc"
        ).fetchall()
        outside = sum(n for month, n in months if month != source.month)
        if months and outside > rows * WRONG_MONTH_SHARE:
            raise FileRefused(
                f"{column.header} 多数在 {months[0][0]},与目录月份 {source.month} 不符;"
                f"请把文件放到 landing/{source.system}/{months[0][0]}/ 或重新导出 {source.month} 的数据"
            )
