"""Analysts' Jupyter: JupyterLab on 127.0.0.1 over the notebooks folder, the check that each
notebook and its jupytext pair hold the same cells, and the district analysis notebook run
for the monthly release.

The release runs the district notebook for every district in one kernel (the imports and the
served file's first read are paid once) and keeps its outputs only: the HTML a district
office opens has no code cells.
"""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from html import escape
from pathlib import Path
from typing import TYPE_CHECKING

from warehouse.errors import UserError

if TYPE_CHECKING:  # the Jupyter libraries load when used: every `xiaoge` command imports this
    from jupyter_client.manager import KernelManager
    from nbformat import NotebookNode

NOTEBOOKS = Path(__file__).resolve().parents[1] / "dashboards" / "notebooks"
DISTRICT_NOTEBOOK = NOTEBOOKS / "05_district_analysis.ipynb"
KERNEL = "python3"  # ipykernel's own spec: the Python running this, i.e. the project's venv
CELL_TIMEOUT = 300

# JupyterLab with nothing that reaches the internet: no news, no update check, no extension
# listing from PyPI.
OFFLINE = [
    "--LabApp.news_url=None",
    "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
    "--LabApp.extension_manager=readonly",
]


def lab_command(port: int, open_browser: bool) -> list[str]:
    """The JupyterLab server: on 127.0.0.1 only, the notebooks folder as its root."""
    return [
        sys.executable,
        "-m",
        "jupyterlab",
        "--ServerApp.ip=127.0.0.1",
        f"--ServerApp.port={port}",
        "--ServerApp.port_retries=0",
        f"--ServerApp.root_dir={NOTEBOOKS}",
        *OFFLINE,
        *([] if open_browser else ["--no-browser"]),
        # Jupyter refuses root unless told; containers and CI machines often run as root
        *(["--ServerApp.allow_root=True"] if os.geteuid() == 0 else []),
    ]


def start_lab(home_root: Path, port: int, open_browser: bool) -> None:
    """Replace this process with JupyterLab (so its PID is the server's), its kernels reading
    the home's served file."""
    if importlib.util.find_spec("jupyterlab") is None:
        raise UserError("JupyterLab 未安装:运行 make lab(或 pip install -e '.[lab]')")
    env = {**os.environ, "XIAOGE_HOME": str(home_root)}
    command = lab_command(port, open_browser)
    os.execve(command[0], command, env)


# --- the notebook pairs ---------------------------------------------------------------------


def _cells(notebook: NotebookNode) -> list[tuple[str, str]]:
    return [(cell.cell_type, cell.source.strip()) for cell in notebook.cells]


def pair_problems(folder: Path) -> list[str]:
    """What is wrong with the folder's notebooks: a notebook without its .py pair (or the
    reverse), a pair whose cells differ, a notebook committed with outputs."""
    import jupytext
    import nbformat

    problems = []
    notebooks = sorted(folder.glob("*.ipynb"))
    for path in notebooks:
        pair = path.with_suffix(".py")
        notebook = nbformat.read(path, as_version=4)
        if any(c.get("outputs") or c.get("execution_count") for c in notebook.cells):
            problems.append(f"{path.name}: 有运行输出,提交前运行 make notebooks 清除")
        if not pair.exists():
            problems.append(f"{path.name}: 缺少配对的 {pair.name},运行 make notebooks 生成")
        elif _cells(jupytext.read(pair)) != _cells(notebook):
            problems.append(f"{path.name} 与 {pair.name} 的单元格不一致,运行 make notebooks 同步")
    paired = {p.with_suffix(".py") for p in notebooks}
    problems += [
        f"{p.name}: 缺少配对的 {p.with_suffix('.ipynb').name},运行 make notebooks 生成"
        for p in sorted(folder.glob("*.py"))
        if p not in paired
    ]
    return problems


# --- the district analysis ------------------------------------------------------------------


# The page's own style: the "basic" template has none and fetches nothing (no MathJax,
# require.js or fonts from a CDN), so the file opens the same offline.
PAGE = """<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<title>{title}</title>
<style>
body {{ font-family: "WenQuanYi Zen Hei", "Noto Sans CJK SC", "Microsoft YaHei", sans-serif;
       max-width: 60em; margin: 2em auto; padding: 0 1em; color: #222; line-height: 1.6; }}
h1 {{ color: #c8161d; }}
table {{ border-collapse: collapse; margin: 0.5em 0 1.5em; }}
th, td {{ border-bottom: 1px solid #ddd; padding: 0.3em 0.8em; text-align: right; }}
th:first-child, td:first-child {{ text-align: left; }}
th {{ background: #f5f5f5; }}
</style>
</head>
<body>
{body}
</body>
</html>
"""


def html_without_code(notebook: NotebookNode, title: str) -> str:
    """The executed notebook as one HTML page: its text and outputs, no code, no prompts, no
    warnings, nothing fetched from the internet."""
    from nbconvert import HTMLExporter

    for cell in notebook.cells:
        if cell.cell_type == "code":
            cell.outputs = [o for o in cell.outputs if o.get("name") != "stderr"]
    exporter = HTMLExporter(
        template_name="basic",
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
        exclude_anchor_links=True,
    )
    body, _ = exporter.from_notebook_node(notebook)
    return PAGE.format(title=escape(title), body=body)


class DistrictAnalysis:
    """Runs the district notebook for one district after another in one kernel, started at
    the first district that needs it and stopped by `close` (or leaving the `with`)."""

    def __init__(self, home_root: Path, notebook: Path = DISTRICT_NOTEBOOK) -> None:
        import nbformat

        self.home_root = home_root
        self.source = nbformat.read(notebook, as_version=4)
        self.kernel: KernelManager | None = None

    def __enter__(self) -> DistrictAnalysis:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _started(self) -> KernelManager:
        from jupyter_client.manager import KernelManager

        if self.kernel is None:
            self.kernel = KernelManager(kernel_name=KERNEL)
            env = {**os.environ, "XIAOGE_HOME": str(self.home_root)}
            # its log (a TCP notice at start) would break into the release's progress bars;
            # a cell's error comes back as the cell's output
            self.kernel.start_kernel(cwd=str(NOTEBOOKS), env=env, stderr=subprocess.DEVNULL)
        return self.kernel

    def run(self, month: str, district: str) -> NotebookNode:
        """The notebook executed for the month and district (papermill's parameters cell)."""
        import nbformat
        from nbclient import NotebookClient
        from papermill.parameterize import parameterize_notebook

        notebook = nbformat.from_dict(self.source)
        # what papermill's parameters cell expects of a notebook it has prepared
        notebook.metadata.setdefault("papermill", {})
        for cell in notebook.cells:
            cell.metadata.setdefault("tags", [])
        notebook = parameterize_notebook(
            notebook,
            {"month": month, "district": district},
            kernel_name=KERNEL,
            language="python",
        )
        client = NotebookClient(notebook, km=self._started(), timeout=CELL_TIMEOUT)
        try:
            client.execute()
        finally:
            if client.kc is not None:
                client.kc.stop_channels()
        return notebook

    def html(self, month: str, district: str, title: str) -> str:
        return html_without_code(self.run(month, district), title)

    def close(self) -> None:
        if self.kernel is not None and self.kernel.has_kernel:
            self.kernel.shutdown_kernel(now=True)
        self.kernel = None


def main(argv: list[str]) -> int:
    """`python -m warehouse.lab check <folder>` (make notebooks-check, part of make lint)."""
    if len(argv) != 2 or argv[0] != "check":
        print("用法: python -m warehouse.lab check <笔记本文件夹>", file=sys.stderr)
        return 2
    problems = pair_problems(Path(argv[1]))
    for problem in problems:
        print(problem, file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
