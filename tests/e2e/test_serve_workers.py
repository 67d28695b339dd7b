"""`heritage serve --workers 2`: forked workers on one socket, one restarted when it dies, all stopped by SIGTERM."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable

import httpx
import psutil

from tests.conftest import ROOT
from tests.e2e.test_serve import free_port


def wait_until(condition: Callable[[], bool], *, timeout_s: float = 60) -> bool:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return False


def ready(port: int) -> bool:
    try:
        return httpx.get(f"http://127.0.0.1:{port}/ready", timeout=2).status_code == 200
    except httpx.TransportError:
        return False


def test_two_workers_serve_restart_and_stop(server_env: dict[str, str]) -> None:
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "cli.main", "serve", "--port", str(port), "--workers", "2"],
        cwd=ROOT,
        env=server_env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    master = psutil.Process(process.pid)
    try:
        assert wait_until(lambda: ready(port)), "server did not come up"
        assert wait_until(lambda: len(master.children()) == 2)
        workers = {child.pid for child in master.children()}
        os.kill(min(workers), signal.SIGKILL)
        assert wait_until(lambda: len({c.pid for c in master.children()} - workers) == 1), "no replacement worker"
        assert wait_until(lambda: ready(port))
        children = master.children()
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=30) == 0
        _, alive = psutil.wait_procs(children, timeout=10)
        assert not alive
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=10)
