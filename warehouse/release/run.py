"""A month's release in one run, under the home's lock: ingest what has arrived, build and
publish when the served build is out of date, export the city pack and each district's pack
under its district's scope, and write the release record.

Nothing new (no file loaded, every pack's numbers as in its latest version) writes nothing:
no build, no pack version, no record. A failure (a build whose audit blocks publishing, a
month with no data) stops the run with one line and leaves the written packs as they were;
packs are written whole or not at all (warehouse.export).
"""

from __future__ import annotations

import getpass
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from warehouse import homelock, ledger, names
from warehouse.access import Viewer
from warehouse.config import Home
from warehouse.errors import UserError
from warehouse.export import ExportOutcome, export, pack_folder, pack_versions
from warehouse.export.brief import one_chart_browser
from warehouse.ingest import discover, held_corrections, ingest
from warehouse.ingest.landing import FileResult
from warehouse.lab import DistrictAnalysis
from warehouse.present.format import month_zh
from warehouse.published import available_months, published_month, query
from warehouse.release.record import Output, ReleaseFacts, write_record


class Display:
    """What the release tells the person running it (the CLI shows it as progress bars)."""

    def wait(self, text: str) -> None: ...
    def ingest_started(self, files: int) -> None: ...
    def file_done(self, result: FileResult) -> None: ...
    def ingest_done(self, results: list[FileResult]) -> None: ...
    def steps_started(self, steps: int) -> None: ...
    def step(self, area: str, text: str) -> None: ...
    def step_done(self, output: Output) -> None: ...


# What the release makes for one area, in order; each step writes its output only when it has
# something new.
Step = Callable[[Home, str, str | None, Viewer | None, Callable[[str], None]], ExportOutcome]


def pack_step(
    home: Home,
    month: str,
    district: str | None,
    viewer: Viewer | None,
    on_step: Callable[[str], None],
) -> ExportOutcome:
    return export(home, month, district, on_step=on_step, viewer=viewer)


class AnalysisStep:
    """The district analysis notebook's HTML (no code cells) in the district's pack folder,
    one per pack version: district-analysis-v<N>.html beside v<N>/, whose numbers it shows.
    Written once, like the pack; all districts run in the one kernel of `analysis`."""

    def __init__(self, analysis: DistrictAnalysis, names: dict[str, str]) -> None:
        self.analysis = analysis
        self.names = names

    def __call__(
        self,
        home: Home,
        month: str,
        district: str | None,
        viewer: Viewer | None,
        on_step: Callable[[str], None],
    ) -> ExportOutcome:
        assert district is not None, "the analysis is a district's"
        version = pack_versions(home, month, district)[-1]
        target = analysis_file(home, month, district, version)
        if target.exists():
            return ExportOutcome(target, version, False, f"区县分析未变:{target}")
        on_step("运行区县分析笔记本")
        title = f"{self.names[district]} {month_zh(month)} 区县分析"
        html = self.analysis.html(month, district, title)
        partial = target.with_suffix(".partial")
        partial.write_text(html, encoding="utf-8")
        partial.replace(target)  # the page appears whole or not at all
        return ExportOutcome(target, version, True, f"已写入区县分析 -> {target}")


def analysis_file(home: Home, month: str, district: str, version: int) -> Path:
    return pack_folder(home, month, district) / f"district-analysis-v{version}.html"


CITY_STEPS: tuple[Step, ...] = (pack_step,)


@dataclass
class Release:
    month: str
    built: str | None  # the build this run published, if any
    outputs: list[Output] = field(default_factory=list)
    record: Path | None = None  # None: nothing new, nothing written

    @property
    def new(self) -> list[Output]:
        return [o for o in self.outputs if o.outcome.created]

    @property
    def packs(self) -> list[Output]:
        return [o for o in self.outputs if o.kind == "pack"]


def release(
    home: Home,
    month: str,
    build: Callable[[Home], str],
    viewer: Viewer | None = None,
    display: Display | None = None,
) -> Release:
    """The month's release; `build` builds and publishes (the CLI's, with its progress)."""
    names.month(month)
    if viewer is not None and viewer.district_code is not None:
        raise UserError(
            f"用户 {viewer.user} 的角色是 {viewer.role},只能看本区县;月度发布要导出全市和各区县的指标包,"
            "请用全市或分析人员角色"
        )
    _require_files_for(home, month)
    show = display or Display()
    started = datetime.now().astimezone()
    with homelock.exclusive(home, "release", on_wait=show.wait):
        show.ingest_started(len(discover(home.ensure(), None)))
        report = ingest(home, None, on_file=show.file_done, on_wait=show.wait)
        show.ingest_done(report.results)
        reasons = build_reasons(home)
        built = build(home) if reasons else None
        month = published_month(home, month)
        outcome = Release(month, built)
        named = districts(home)
        with DistrictAnalysis(home.root) as analysis, one_chart_browser():
            district_steps = (pack_step, AnalysisStep(analysis, dict(named)))
            areas = [(None, "全市", CITY_STEPS)] + [
                (code, name, district_steps) for code, name in named
            ]
            show.steps_started(sum(len(steps) for _, _, steps in areas))
            for code, area, steps in areas:
                for step in steps:
                    on_step = lambda text, a=area: show.step(a, text)  # noqa: E731
                    done = step(home, month, code, viewer, on_step)
                    kind = "analysis" if isinstance(step, AnalysisStep) else "pack"
                    output = Output(area, code, done, kind)
                    outcome.outputs.append(output)
                    show.step_done(output)
        if outcome.new:
            facts = ReleaseFacts(
                month=month,
                run_by=viewer.user if viewer else f"{_login_name()}(操作系统用户)",
                started_at=started,
                build_reasons=reasons,
                built=built,
                ingested=report.results,
                held=held_corrections(home),
                outputs=outcome.outputs,
            )
            outcome.record = write_record(home, facts)
    return outcome


def _require_files_for(home: Home, month: str) -> None:
    """Refuse at once a month with no landing files and no published data (a typo, a month
    still to come), before anything is ingested or built."""
    if any(home.landing.glob(f"*/{month}")):
        return
    published = available_months(home) if home.published_db.exists() else []
    if month not in published:
        raise UserError(
            f"没有 {month} 的数据:landing/ 中没有该月的文件"
            + (f",已发布的月份为 {published[0]} 至 {published[-1]}" if published else "")
        )


def build_reasons(home: Home) -> list[str]:
    """Why the served build is out of date (empty: it is current, no build is needed)."""
    from warehouse.build_plan import project_fingerprint

    if not home.published_db.exists():
        return ["还没有已发布的数据"]
    served = query(home, "select * from xiaoge_build").iloc[0]
    sources = query(home, "select file_path, checksum from xiaoge_build_sources")
    loaded = {(r["file_path"], r["checksum"]) for r in ledger.read(home) if r["status"] == "loaded"}
    reasons = []
    if loaded != set(zip(sources["file_path"], sources["checksum"], strict=True)):
        reasons.append("导入的文件与已发布的构建不同(有新文件或更正)")
    if served.get("project_fingerprint") != project_fingerprint():
        reasons.append("模型或种子数据已改变")
    return reasons


def districts(home: Home) -> list[tuple[str, str]]:
    """The districts that get their own pack (not the unknown district)."""
    frame = query(
        home,
        "select district_code, district_name from dim_district "
        "where district_kind <> 'unknown' order by district_code",
    )
    return list(zip(frame["district_code"], frame["district_name"], strict=True))


def _login_name() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"
