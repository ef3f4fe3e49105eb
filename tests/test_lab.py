"""`xiaoge lab` starts JupyterLab on 127.0.0.1 over the notebooks folder; a notebook runs top
to bottom in the server's own kernel, through the Jupyter REST and websocket APIs."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import time
import urllib.request
import uuid
from pathlib import Path

from tornado.websocket import websocket_connect

from tests.conftest import XIAOGE
from tests.processes import free_port

TOKEN = uuid.uuid4().hex
NOTEBOOK = "05_district_analysis.ipynb"


def api(base: str, path: str, method: str = "GET", body: dict | None = None) -> dict | list:
    request = urllib.request.Request(
        f"{base}/api/{path}",
        method=method,
        data=None if body is None else json.dumps(body).encode(),
        headers={"Authorization": f"token {TOKEN}", "Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        text = response.read()
    return json.loads(text) if text else {}


def wait_for_server(base: str, server: subprocess.Popen, seconds: float = 180) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        assert server.poll() is None, server.stderr.read()
        try:
            api(base, "status")
            return
        except OSError:
            time.sleep(0.5)
    raise AssertionError("JupyterLab did not answer")


async def run_cells(base: str, kernel_id: str, cells: list[str]) -> list[dict]:
    """Each cell's execute_reply and outputs, in the kernel, in order."""
    url = f"{base.replace('http', 'ws', 1)}/api/kernels/{kernel_id}/channels?token={TOKEN}"
    socket_ = await websocket_connect(url)
    session, results = uuid.uuid4().hex, []
    for code in cells:
        msg_id = uuid.uuid4().hex
        header = {"msg_id": msg_id, "session": session, "username": "test"}
        request = {
            "header": {**header, "msg_type": "execute_request", "version": "5.3"},
            "parent_header": {},
            "metadata": {},
            "channel": "shell",
            "content": {"code": code, "silent": False, "allow_stdin": False},
        }
        await socket_.write_message(json.dumps(request))
        outputs, reply, idle = [], None, False
        # the reply (shell channel) may come before the outputs (iopub): a cell is done when
        # both the reply and the kernel's "idle" status for it have come
        while reply is None or not idle:
            message = json.loads(await asyncio.wait_for(socket_.read_message(), 300))
            if message.get("parent_header", {}).get("msg_id") != msg_id:
                continue
            if message["msg_type"] in ("execute_result", "display_data", "stream", "error"):
                outputs.append(message)
            elif message["msg_type"] == "execute_reply":
                reply = message["content"]
            elif message["msg_type"] == "status":
                idle = message["content"]["execution_state"] == "idle"
        results.append({"reply": reply, "outputs": outputs})
    socket_.close()
    return results


def test_lab_serves_the_notebooks_and_runs_one_in_its_kernel(demo_home: Path):
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {**os.environ, "XIAOGE_HOME": str(demo_home), "JUPYTER_TOKEN": TOKEN}
    started = time.monotonic()
    server = subprocess.Popen(
        [XIAOGE, "lab", "--port", str(port), "--no-browser"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        wait_for_server(base, server)
        print(f"lab answered after {time.monotonic() - started:.1f}s")
        folder = api(base, "contents")
        names = {item["name"] for item in folder["content"]}
        assert {NOTEBOOK, "01_retention_cohorts.ipynb", "04_xiaogema_before_after.ipynb"} <= names
        notebook = api(base, f"contents/{NOTEBOOK}?content=1")["content"]
        cells = [c["source"] for c in notebook["cells"] if c["cell_type"] == "code"]

        kernel = api(base, "kernels", "POST", {"name": "python3"})
        results = asyncio.run(run_cells(base, kernel["id"], cells))
        assert [r["reply"]["status"] for r in results] == ["ok"] * len(cells)
        # the kernel is the project's Python and reads the home's published warehouse
        where = asyncio.run(
            run_cells(
                base, kernel["id"], ["import sys, os; print(sys.prefix, os.environ['XIAOGE_HOME'])"]
            )
        )
        # the kernel may send one print as several stream messages (it flushes on a timer)
        printed = "".join(
            o["content"]["text"] for o in where[0]["outputs"] if o["msg_type"] == "stream"
        ).split()
        assert printed == [str(Path(os.sys.prefix)), str(demo_home)]
        shown = [o for r in results for o in r["outputs"] if o["msg_type"] == "display_data"]
        assert any("小哥码注册率" in o["content"]["data"].get("text/html", "") for o in shown)
        api(base, f"kernels/{kernel['id']}", "DELETE")
        print(f"lab test done after {time.monotonic() - started:.1f}s")
    finally:
        if server.poll() is None:
            os.kill(server.pid, signal.SIGTERM)  # xiaoge lab became the server: same PID
            server.wait(timeout=60)
    assert server.returncode is not None
