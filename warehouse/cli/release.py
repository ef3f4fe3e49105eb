"""`xiaoge release --month`: the month's release in one command, with its progress."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape
from rich.progress import Progress, TaskID

from warehouse.cli.build import build_and_publish
from warehouse.cli.options import MONTH, USER
from warehouse.cli.render import console, progress, wait_notice
from warehouse.config import home

if TYPE_CHECKING:  # the release and ingest packages load with the command, not with every one
    from warehouse.ingest.landing import FileResult
    from warehouse.release import Output


def release(
    month: Annotated[
        str, typer.Option("--month", help="the month to release, YYYY-MM", callback=MONTH)
    ],
    as_user: Annotated[
        str | None,
        typer.Option(
            "--as-user",
            envvar="XIAOGE_USER",
            callback=USER,
            help="release as this user of the access file (recorded as who ran it; needs a "
            "city-wide role); default: the operating-system user",
        ),
    ] = None,
) -> None:
    """Ingest what has arrived, build and publish if needed, export the city's and every
    district's pack, and write the release record under exports/<month>/releases/.

    Nothing new writes nothing. Corrections that would lose rows stay held and are listed.
    """
    from warehouse.access import viewer_for
    from warehouse.release import release as run_release

    where = home()
    viewer = viewer_for(as_user, where) if as_user else None
    with ProgressDisplay() as display:
        done = run_release(where, month, build_and_publish, viewer, display)
    for held in display.held:
        console.print(
            f"[yellow]暂缓[/yellow] {escape(held.path)}: {escape(held.message)}",
            soft_wrap=True,
            highlight=False,
        )
    for refused in display.refused:
        console.print(f"[red]拒收[/red] {escape(refused.path)}: {escape(refused.message)}")
    if done.record is None:
        console.print(
            f"{done.month} 没有新的数据:{len(done.packs)} 个指标包与最新版本相同,"
            "未写新版本,也未写发布记录"
        )
        return
    new_packs = [o for o in done.new if o.kind == "pack"]
    revised = [o for o in new_packs if o.outcome.version > 1]
    analyses = len(done.new) - len(new_packs)
    console.print(
        f"已发布 {done.month}:新写 {len(new_packs)} 个指标包(其中 {len(revised)} 个为更正版本),"
        f"{len(done.packs) - len(new_packs)} 个未变,新写区县分析 {analyses} 份;发布记录 {done.record}",
        soft_wrap=True,
    )


class ProgressDisplay:
    """The release's progress as rich bars: the files ingested, then the packs written (every
    method of `warehouse.release.Display`)."""

    def __init__(self) -> None:
        self.bar: Progress | None = None
        self.task: TaskID | None = None
        self.held: list[FileResult] = []
        self.refused: list[FileResult] = []

    def __enter__(self) -> ProgressDisplay:
        return self

    def __exit__(self, *exc: object) -> None:
        self._close()

    def _open(self, label: str, total: int) -> None:
        self._close()
        self.bar = progress()
        self.bar.start()
        self.task = self.bar.add_task(label, total=total)

    def _close(self) -> None:
        if self.bar is not None:
            self.bar.stop()
            self.bar = None

    def wait(self, text: str) -> None:
        wait_notice(text)

    def ingest_started(self, files: int) -> None:
        self._open("导入落地文件", files)

    def file_done(self, result: FileResult) -> None:
        self.bar.advance(self.task)

    def ingest_done(self, results: list[FileResult]) -> None:
        self.held = [r for r in results if r.status == "held"]
        self.refused = [r for r in results if r.status == "refused"]
        loaded = sum(r.status == "loaded" for r in results)
        self.bar.update(self.task, description=f"导入落地文件:新导入 {loaded} 个")
        self._close()

    def steps_started(self, steps: int) -> None:
        self._open("导出指标包", steps)

    def step(self, area: str, text: str) -> None:
        self.bar.update(self.task, description=f"导出指标包 {area}:{text}")

    def step_done(self, output: Output) -> None:
        what = "区县分析" if output.kind == "analysis" else "指标包"
        state = f"{what}第 {output.outcome.version} 版" + (
            "(新)" if output.outcome.created else "(未变)"
        )
        self.bar.update(self.task, advance=1, description=f"导出指标包 {output.area} {state}")
