"""`heritage` run as a user runs it, in a process of its own: one-shot commands, and `serve` waited on until it answers.

Shared by the end-to-end and API suites so that each test says only what differs (the environment, the arguments,
where the output goes) and what it checks.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

import httpx

from tests.conftest import ROOT

SHARED_STORE_SETTINGS = ("DATABASE_URL", "HERITAGE_DATABASE_URL", "REDIS_URL", "HERITAGE_REDIS_URL")


def free_port() -> int:
    """A TCP port on the loopback interface that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def heritage_command(*args: str) -> list[str]:
    """The command line of `heritage ARGS` with this interpreter (the checkout's code, not an installed copy)."""
    return [sys.executable, "-m", "cli.main", *args]


def run_heritage(*args: str, env: dict[str, str], timeout_s: float = 120) -> subprocess.CompletedProcess[str]:
    """Run `heritage ARGS` to its end from the checkout's root; its exit code and output, never raising on failure."""
    return subprocess.run(
        heritage_command(*args), cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout_s, check=False
    )


def local_store_env(sqlite_path: Path) -> dict[str, str]:
    """This process's environment for a server on its own SQLite file and in-process cache (no shared store)."""
    env = {**os.environ, "HERITAGE_SQLITE_PATH": str(sqlite_path), "HERITAGE_LOG_JSON": "false"}
    for name in SHARED_STORE_SETTINGS:
        env.pop(name, None)
    return env


@contextmanager
def serving(
    command: list[str], *, env: dict[str, str], output: IO[str] | int = subprocess.DEVNULL, cwd: Path = ROOT
) -> Iterator[subprocess.Popen[bytes]]:
    """A server process (stdout and stderr to `output`), terminated and waited for when the block ends."""
    process = subprocess.Popen(command, cwd=cwd, env=env, stdout=output, stderr=subprocess.STDOUT)
    try:
        yield process
    finally:
        process.terminate()
        process.wait(timeout=30)


def wait_until_ok(url: str, process: subprocess.Popen[Any], timeout_s: float) -> httpx.Response | None:
    """Ask `url` until it answers 200 (that answer), or None once the process exits or `timeout_s` passes."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline and process.poll() is None:
        try:
            answer = httpx.get(url, timeout=2)
        except httpx.TransportError:
            answer = None
        if answer is not None and answer.status_code == 200:
            return answer
        time.sleep(0.2)
    return None


def run_build(tmp_path: Path, *args: str, catalogue: Path | None = None) -> subprocess.CompletedProcess[str]:
    """`heritage build --quiet ARGS` into tmp_path/bundles (with another catalogue when given)."""
    env = {**os.environ, "HERITAGE_BUNDLE_DIR": str(tmp_path / "bundles"), "COLUMNS": "200"}
    if catalogue is not None:
        env["HERITAGE_CATALOGUE_PATH"] = str(catalogue)
    return run_heritage("build", "--quiet", *args, env=env, timeout_s=300)
