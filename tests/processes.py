"""Servers a test starts as child processes: a free port for each, and stopping them."""

from __future__ import annotations

import os
import signal
import socket
import subprocess


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def stop_group(child: subprocess.Popen, timeout: float = 15) -> None:
    """Stop a child started with `start_new_session=True` and everything it started:
    SIGTERM to its process group, SIGKILL if it has not exited after `timeout` seconds."""
    os.killpg(child.pid, signal.SIGTERM)
    try:
        child.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(child.pid, signal.SIGKILL)
        child.wait()
