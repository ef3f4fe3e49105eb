"""The ingest row rules, one at a time, on a tiny in-memory DuckDB table.

`warehouse.ingest.rules` builds the SQL that gives every landed row its reasons for
quarantine. Each rule here accepts a good row and quarantines a bad one with its own reason;
the file rule refuses a file filed under the wrong month. No demo build: milliseconds each.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd
import pytest

from warehouse.contracts import Column, Table
from warehouse.ingest.landing import FileRefused, LandingFile
from warehouse.ingest.rules import checked_select, refuse_wrong_month, typed_sql

MONTH = "2025-06"


def column(name: str, header: str, type: str = "string", **rules) -> Column:
    return Column(name=name, header=header, type=type, description=header, **rules)


TABLE = Table(
    name="orders",
    name_zh="订单",
    description="A contract with one column per row rule.",
    grain="one row per order",
    key=["order_id"],
    columns=[
        column("order_id", "订单号", required=True),
        column("id_number", "身份证号", required=False, pii="id_number"),
        column("orders", "单量", "integer", required=False, minimum=0),
        column("platform_code", "平台", required=False, allowed=["eleme", "meituan"]),
        column("note", "备注", required=False),
        column("event_date", "日期", "date", required=False, within_month=True),
        column("signed_date", "签约日期", "date", required=False, not_after_month_end=True),
    ],
)


def id_number(first17: str) -> str:
    """A resident ID number with its GB 11643 check digit."""
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    total = sum(int(digit) * weight for digit, weight in zip(first17, weights, strict=True))
    return first17 + "10X98765432"[total % 11]


GOOD = {
    "订单号": "A1",
    "身份证号": id_number("11010519491231002"),  # its check digit is X
    "单量": "12",
    "平台": "meituan",
    "备注": "午间送达",
    "日期": "2025-06-15",
    "签约日期": "2025-06-30",
}


def reasons(*rows: dict[str, str | None]) -> list[list[str]]:
    """Each landed row's reasons, in file order, as the contract's row rules give them."""
    landed = pd.DataFrame([{h: row.get(h) for h in TABLE.headers} for row in rows], dtype=object)
    landed.insert(0, "_row_number", range(1, len(rows) + 1))
    with duckdb.connect() as con:
        con.register("landed_rows", landed)
        con.execute("create table landed as select * from landed_rows")
        found = con.execute(
            f"select _reasons from ({checked_select(TABLE, MONTH)}) order by _row_number"
        ).fetchall()
    return [list(row[0]) for row in found]


def test_a_good_row_has_no_reasons():
    assert reasons(GOOD) == [[]]


def test_slashed_dates_padded_numbers_and_a_lower_case_x_are_accepted():
    assert GOOD["身份证号"].endswith("X")
    row = GOOD | {"日期": "2025/06/01", "单量": " 7 ", "身份证号": GOOD["身份证号"].lower()}
    assert reasons(row) == [[]]


@pytest.mark.parametrize(
    ("header", "bad", "reason"),
    [
        ("订单号", None, "订单号 为空"),
        ("订单号", "  ", "订单号 为空"),
        ("身份证号", "3301061990", "身份证号 格式错误(应为18位,末位可为X)"),
        ("身份证号", GOOD["身份证号"][:-1] + "0", "身份证号 校验位错误"),
        ("身份证号", id_number("33010619901301123"), "身份证号 出生日期无效"),
        ("单量", "十二", "单量 不是有效的整数: 十二"),
        ("单量", "-3", "单量 小于 0"),
        ("平台", "didi", "平台 代码未知: didi"),
        ("备注", "=HYPERLINK(\"x\")", "备注 疑似公式注入(以 = + @ 开头)"),
        ("备注", "  @cmd", "备注 疑似公式注入(以 = + @ 开头)"),
        ("备注", "长" * 501, "备注 超过 500 个字符"),
        ("日期", "2025-06-31", "日期 不是有效的日期: 2025-06-31"),
        ("日期", "2025-05-31", "日期 不在报送月份内"),
        ("日期", "2025-07-01", "日期 不在报送月份内"),
        ("签约日期", "2025-07-01", "签约日期 晚于报送月份"),
    ],
)  # fmt: skip
def test_each_rule_quarantines_a_bad_row_with_its_reason(header: str, bad: str | None, reason: str):
    bad_row = GOOD | {"订单号": "B1"} | {header: bad}
    assert reasons(GOOD, bad_row) == [[], [reason]]


def test_rules_that_pass_leave_optional_cells_empty():
    empty = {"订单号": "C1"}
    assert reasons(empty) == [[]]


def test_a_signed_date_before_the_month_is_accepted():
    assert reasons(GOOD | {"签约日期": "2023-01-05"}) == [[]]


def test_a_repeated_key_quarantines_the_second_row_only():
    assert reasons(GOOD, GOOD | {"备注": "again"}) == [[], ["主键重复: A1"]]


def test_a_row_breaking_several_rules_has_every_reason():
    found = reasons(GOOD | {"单量": "-1", "平台": "didi"})
    assert sorted(found[0]) == ["单量 小于 0", "平台 代码未知: didi"]


def test_typed_sql_turns_landed_text_into_the_contract_type():
    with duckdb.connect() as con:
        con.execute("create table landed as select ' 2025/06/03 ' as 日期, '' as 单量")
        typed = con.execute(
            f"select {typed_sql(TABLE.column('event_date'))}, {typed_sql(TABLE.column('orders'))} "
            "from landed"
        ).fetchall()
    assert typed == [(pd.Timestamp("2025-06-03").date(), None)]


def landing_file() -> LandingFile:
    return LandingFile(
        path=Path("orders.csv"),
        relative=f"shop/{MONTH}/orders.csv",
        system="shop",
        month=MONTH,
        table=TABLE,
        stem="orders",
        ext="csv",
    )


def landed_dates(con: duckdb.DuckDBPyConnection, dates: list[str]) -> None:
    con.execute("create or replace table landed (日期 varchar)")
    con.executemany("insert into landed values (?)", [[d] for d in dates])


def test_a_file_mostly_in_another_month_is_refused():
    with duckdb.connect() as con:
        landed_dates(con, ["2025-05-03", "2025-05-20", "2025-06-01"])
        with pytest.raises(FileRefused, match="日期 多数在 2025-05,与目录月份 2025-06 不符"):
            refuse_wrong_month(con, landing_file(), rows=3)


def test_a_file_with_a_few_dates_outside_its_month_is_loaded():
    with duckdb.connect() as con:
        landed_dates(con, ["2025-05-31", "2025-06-02", "2025-06-20"])
        refuse_wrong_month(con, landing_file(), rows=3)
