"""Reading the published warehouse: `xiaoge kpi`, `xiaoge status`, and `xiaoge export` (a
month's frozen KPI pack) with `xiaoge export diff` (what changed between two packs)."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console

from warehouse import names
from warehouse.cli.options import (
    GROUP,
    USER,
    VERSION,
    DistrictOption,
    JsonFlag,
    MonthOption,
)
from warehouse.cli.render import (
    breakdown_table,
    console,
    kpi_table,
    pack_diff_table,
    print_json,
    print_status,
)
from warehouse.config import Home, home

export_app = typer.Typer(
    help="Monthly KPI packs: export a month, or compare two versions.", no_args_is_help=False
)


@export_app.callback(invoke_without_command=True)
def export(
    ctx: typer.Context,
    month: MonthOption = None,
    district: DistrictOption = None,
    as_user: Annotated[
        str | None,
        typer.Option(
            "--as-user",
            envvar="XIAOGE_USER",
            callback=USER,
            help="export with this user's role from the access file (a district user gets "
            "their own district only)",
        ),
    ] = None,
) -> None:
    """Write the frozen monthly KPI pack under exports/<month>/v<N>/."""
    if ctx.invoked_subcommand is None:
        export_pack(home(), month, district, as_user)


@export_app.command("diff")
def export_diff(
    month: MonthOption = None,
    district: DistrictOption = None,
    from_version: Annotated[
        str | None, typer.Option("--from", help="older version, e.g. v1", callback=VERSION)
    ] = None,
    to_version: Annotated[
        str | None, typer.Option("--to", help="newer version, e.g. v2", callback=VERSION)
    ] = None,
    as_json: JsonFlag = False,
) -> None:
    """List the KPIs whose values differ between two versions of a month's pack."""
    from warehouse.export import diff
    from warehouse.published import published_month

    # packs on disk are compared as they are: only the default month needs the warehouse
    month = month or published_month(home(), None)
    changes = diff(
        home(),
        month,
        district,
        _version_number(from_version),
        _version_number(to_version),
    )
    if as_json:
        print_json(changes.to_dict(orient="records"))
        return
    Console().print(pack_diff_table(month, changes))


def _version_number(text: str | None) -> int | None:
    return None if text is None else names.version(text)


def kpi(
    month: MonthOption = None,
    district: DistrictOption = None,
    group: Annotated[
        str | None,
        typer.Option(
            help="worker group (delivery, express, ride_hailing): each KPI's figure for that "
            "group where the KPI is broken down by group, as the dashboards' group filter",
            callback=GROUP,
        ),
    ] = None,
    breakdowns: Annotated[
        bool,
        typer.Option(
            "--breakdowns",
            help="also every breakdown row the dashboards show: by district (city-wide only), "
            "by group and by platform",
        ),
    ] = False,
    as_json: JsonFlag = False,
) -> None:
    """KPI values from the published warehouse, keyed by KPI id."""
    from warehouse.kpis import kpi_values

    values = kpi_values(home(), month=month, district=district, group=group, breakdowns=breakdowns)
    if as_json:
        print_json(values)
        return
    scope = " ".join(filter(None, (values["month"], district or "全市", group)))
    out = Console()
    out.print(kpi_table(values, scope, group))
    if breakdowns:
        out.print(breakdown_table(values, scope))


def status(as_json: JsonFlag = False) -> None:
    """The published version and what has been loaded, per source."""
    from warehouse.status import status as collect

    report = collect(home())
    if as_json:
        print_json(report)
        return
    print_status(report, Console())


def export_pack(
    where: Home, month: str | None, district: str | None, as_user: str | None = None
) -> None:
    """The export, shared with `xiaoge demo`."""
    from warehouse.access import viewer_for
    from warehouse.export import export

    viewer = viewer_for(as_user, where) if as_user else None
    with console.status("导出月度指标包 ...") as spinner:
        outcome = export(
            where,
            month=month,
            district=district,
            on_step=lambda text: spinner.update(text),
            viewer=viewer,
        )
    console.print(outcome.message)
