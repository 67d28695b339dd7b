"""`heritage serve --workers 2`: forked workers on one socket sharing plans, one restarted when it dies, all stopped."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

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


def plans_answered(port: int, count: int) -> list[int]:
    """Statuses of ``count`` concurrent, distinct plan requests (the shared plan queue serves them)."""
    bodies = [
        {
            "start": "temple-of-literature",
            "date": "2026-12-01",
            "window": "09:00-13:00",
            "interests": {"heritage": 0.8},
            "seed": seed,
        }
        for seed in range(count)
    ]
    with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=60) as client, ThreadPoolExecutor(count) as pool:
        responses = list(pool.map(lambda body: client.post("/v1/plans", json=body), bodies))
        return [r.status_code for r in responses]


def test_two_workers_serve_restart_and_stop(server_env: dict[str, str]) -> None:
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "cli.main", "serve", "--port", str(port), "--workers", "2"],
        cwd=ROOT,
        env=server_env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    master = psutil.Process(process.pid)
    try:
        assert wait_until(lambda: ready(port)), "server did not come up"
        assert wait_until(lambda: len(master.children()) == 2)
        workers = {child.pid for child in master.children()}
        assert plans_answered(port, 6) == [200] * 6
        os.kill(min(workers), signal.SIGKILL)
        assert wait_until(lambda: len({c.pid for c in master.children()} - workers) == 1), "no replacement worker"
        assert wait_until(lambda: ready(port))
        assert plans_answered(port, 6) == [200] * 6  # the new worker plans from the same shared queue
        children = master.children()
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=30) == 0
        _, alive = psutil.wait_procs(children, timeout=10)
        assert not alive
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)  # the master and any worker left by a failed check
        process.wait(timeout=10)
