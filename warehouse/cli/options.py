"""The options several `xiaoge` commands share, each declared once as an `Annotated` alias,
and the checks every command applies the same way to a value given on the command line."""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum
from typing import Annotated

import typer

from warehouse import names
from warehouse.errors import UserError

DEFAULT_PORT = 8501


def checked(
    validate: Callable[[str, str], object],
) -> Callable[[typer.CallbackParam, str | None], str | None]:
    """A typer callback checking an option's value with one of warehouse.names' patterns, so
    every command refuses the same malformed names (a path where a name belongs) the same way."""

    def callback(param: typer.CallbackParam, value: str | None) -> str | None:
        if value is not None:
            argument = param.param_type_name == "argument"
            field = (param.name or "").upper() if argument else "/".join(param.opts)
            if param.envvar:
                field += f"/{param.envvar}"
            validate(value, field)
        return value

    return callback


MONTH = checked(names.month)
VERSION = checked(names.version)
DISTRICT = checked(names.district)
GROUP = checked(names.group)
BUILD_ID = checked(names.build_id)
USER = checked(names.user)


class Scale(StrEnum):
    """How much demo data to generate."""

    small = "small"  # tests, seconds
    city = "city"  # Hangzhou size


class BuildTarget(StrEnum):
    """Where `xiaoge build` runs the dbt project."""

    duckdb = "duckdb"  # build and publish
    spark = "spark"  # build on Spark, compare the KPIs with the published build's


def _scale(value: str | Scale) -> Scale:
    try:
        return Scale(value)
    except ValueError:
        raise UserError(f"--scale {value} 不支持:请用 small 或 city") from None


def _build_target(value: str | BuildTarget) -> BuildTarget:
    try:
        return BuildTarget(value)
    except ValueError:
        raise UserError(f"未知的构建目标 {value}:可选 duckdb 或 spark") from None


# Output
JsonFlag = Annotated[bool, typer.Option("--json", help="print JSON")]

# Months, YYYY-MM
MonthOption = Annotated[
    str | None,
    typer.Option(
        "--month", help="month, YYYY-MM; default: the latest published month", callback=MONTH
    ),
]
FirstMonthOption = Annotated[
    str, typer.Option("--start", help="first month, YYYY-MM", callback=MONTH)
]
LastMonthOption = Annotated[str, typer.Option("--end", help="last month, YYYY-MM", callback=MONTH)]

# Areas: a district code, or none for the whole city
DistrictOption = Annotated[
    str | None,
    typer.Option("--district", help="district code; default: the whole city", callback=DISTRICT),
]

# Demo data
ScaleOption = Annotated[
    Scale,
    typer.Option("--scale", help="small (tests, seconds) or city (Hangzhou size)", parser=_scale),
]

# Builds
BuildTargetOption = Annotated[
    BuildTarget,
    typer.Option(
        "--target",
        help="duckdb or spark: the engine that builds; either publishes (see --compare-only)",
        parser=_build_target,
    ),
]

# Serving the dashboards on 127.0.0.1
PortOption = Annotated[int, typer.Option("--port", help="dashboard port on 127.0.0.1")]
