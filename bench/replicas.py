"""`heritage serve` replicas and the real nginx in front of them, on free loopback ports (bench/api.py and the test).

:class:`Replica` is one ``heritage serve`` process with its log in a file; :class:`Proxy` runs Debian's nginx as a
non-daemon child with ``deploy/nginx/heritage.conf`` itself, only its listen port and upstream servers replaced, its
prefix, pid, temporary and log files in a directory of its own (no system nginx or port 80 involved).
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import psutil

from bench.measure import ROOT

NGINX = "/usr/sbin/nginx"
DEPLOY_CONF = ROOT / "deploy" / "nginx" / "heritage.conf"
UPSTREAMS_BEGIN, UPSTREAMS_END = "    # upstream servers: begin\n", "    # upstream servers: end\n"
LISTEN = "    listen 8080;\n"
START_TIMEOUT_S = 120


def free_port() -> int:
    """A TCP port free on loopback now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def nginx_path() -> str | None:
    """Debian's nginx (``make nginx`` installs it), else one on PATH, else None."""
    return NGINX if Path(NGINX).exists() else shutil.which("nginx")


def answers(url: str) -> bool:
    """Whether ``url`` answers 200 now."""
    try:
        with urllib.request.urlopen(url, timeout=1) as response:
            return bool(response.status == 200)
    except (urllib.error.URLError, OSError):
        return False


class Replica:
    """One ``heritage serve`` on a free loopback port, its own process group, its log in ``workdir``.

    ``env`` is the whole environment (set it before :meth:`start`); ``HERITAGE_SERVER_ID`` names the replica.
    """

    def __init__(self, name: str, *, workdir: Path, env: dict[str, str]) -> None:
        self.name = name
        self.port = free_port()
        self.log_path = workdir / f"{name}.log"
        self.env = {**env, "HERITAGE_SERVER_ID": name, "HERITAGE_LOG_JSON": "true"}
        self.process: subprocess.Popen[bytes] | None = None
        self._log: Any = None

    def launch(self) -> None:
        """Start the process (without waiting for it to be ready)."""
        self._log = self.log_path.open("wb")
        command = [sys.executable, "-m", "cli.main", "serve", "--port", str(self.port)]
        self.process = subprocess.Popen(
            command, cwd=ROOT, env=self.env, stdout=self._log, stderr=subprocess.STDOUT, start_new_session=True
        )

    def ready(self) -> bool:
        """``/ready`` answers 200 and the app has logged that it is ready; raises if the process has exited."""
        if self.process is None:
            return False
        if self.process.poll() is not None:
            raise RuntimeError(f"{self.name} exited ({self.process.returncode}):\n{self.log_path.read_text()}")
        return answers(f"http://127.0.0.1:{self.port}/ready") and b'"ready: bundle' in self.log_path.read_bytes()

    def start(self) -> float:
        """Launch and wait until ready; the seconds it took."""
        started = time.perf_counter()
        self.launch()
        wait_ready([self])
        return time.perf_counter() - started

    def cpu_s(self) -> float:
        """CPU seconds used so far by the replica's process."""
        if self.process is None:
            return 0.0
        with contextlib.suppress(psutil.Error):
            times = psutil.Process(self.process.pid).cpu_times()
            return float(times.user + times.system)
        return 0.0

    def log_size(self) -> int:
        return self.log_path.stat().st_size

    def request_log(self, start: int = 0, end: int | None = None) -> list[dict[str, Any]]:
        """The JSON request log lines (those with ``duration_ms``) between two byte offsets of the log."""
        with self.log_path.open("rb") as log:
            log.seek(start)
            chunk = log.read() if end is None else log.read(end - start)
        records = []
        for line in chunk.splitlines():
            if b'"duration_ms"' in line:
                with contextlib.suppress(ValueError):
                    records.append(json.loads(line))
        return records

    def kill(self) -> None:
        """SIGKILL, as a crash would: no shutdown, open connections reset."""
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()

    def stop(self) -> None:
        """SIGTERM (a graceful stop), then SIGKILL after 20 s."""
        stop_process(self.process)
        if self._log is not None:
            self._log.close()


def wait_ready(replicas: list[Replica]) -> None:
    """Wait until every replica is ready (raises after :data:`START_TIMEOUT_S` or when one exits)."""
    deadline = time.perf_counter() + START_TIMEOUT_S
    while time.perf_counter() < deadline:
        if all([replica.ready() for replica in replicas]):  # noqa: C419 - each checked: an exited one raises
            return
        time.sleep(0.02)
    raise RuntimeError(f"replicas not ready in {START_TIMEOUT_S} s")


def stop_process(process: subprocess.Popen[bytes] | None) -> None:
    """SIGTERM a child's process group, then SIGKILL after 20 s."""
    if process is None or process.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def proxy_config(upstream_ports: list[int], listen_port: int) -> str:
    """``deploy/nginx/heritage.conf`` with loopback upstream servers and listen port (every other line as shipped)."""
    text = DEPLOY_CONF.read_text()
    begin, end = text.index(UPSTREAMS_BEGIN) + len(UPSTREAMS_BEGIN), text.index(UPSTREAMS_END)
    servers = "".join(f"    server 127.0.0.1:{port} max_fails=1 fail_timeout=5s;\n" for port in upstream_ports)
    if text.count(LISTEN) != 1:
        raise RuntimeError(f"{DEPLOY_CONF} must have one {LISTEN.strip()!r} line")
    return (text[:begin] + servers + text[end:]).replace(LISTEN, f"    listen 127.0.0.1:{listen_port};\n")


class Proxy:
    """nginx as a non-daemon child, on a free port, in front of ``upstream_ports``; everything of it in ``workdir``."""

    def __init__(self, upstream_ports: list[int], *, workdir: Path, binary: str) -> None:
        self.port = free_port()
        self.dir = workdir / "nginx"
        self.dir.mkdir()
        (self.dir / "heritage.conf").write_text(proxy_config(upstream_ports, self.port))
        temp = "\n".join(
            f"    {kind}_temp_path {self.dir / kind};" for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
        )
        (self.dir / "nginx.conf").write_text(
            f"daemon off;\nworker_processes 1;\npid {self.dir / 'nginx.pid'};\n"
            f"error_log {self.dir / 'error.log'} warn;\n"
            "events { worker_connections 1024; }\n"
            "http {\n"
            "    log_format upstream '$status $request_method $uri upstream=$upstream_addr $upstream_status';\n"
            f"    access_log {self.dir / 'access.log'} upstream;\n{temp}\n"
            "    include heritage.conf;\n}\n"
        )
        self.binary = binary
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        """Check the configuration (``nginx -t``), start nginx and wait until it accepts connections."""
        command = [
            self.binary,
            "-p",
            str(self.dir),
            "-c",
            str(self.dir / "nginx.conf"),
            "-e",
            str(self.dir / "error.log"),
        ]
        subprocess.run([*command, "-t", "-q"], check=True, capture_output=True)
        self.process = subprocess.Popen(command, stderr=subprocess.DEVNULL, start_new_session=True)
        deadline = time.perf_counter() + 10
        while time.perf_counter() < deadline:
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", self.port), timeout=1):
                return
            time.sleep(0.02)
        raise RuntimeError(f"nginx did not listen on {self.port}:\n{self.error_log()}")

    def cpu_s(self) -> float:
        """CPU seconds used so far by nginx's master and worker."""
        total = 0.0
        with contextlib.suppress(psutil.Error):
            parent = psutil.Process(self.process.pid if self.process else 0)
            for process in [parent, *parent.children()]:
                with contextlib.suppress(psutil.Error):
                    times = process.cpu_times()
                    total += times.user + times.system
        return total

    def error_log(self) -> str:
        path = self.dir / "error.log"
        return path.read_text() if path.exists() else ""

    def access_log(self) -> list[str]:
        path = self.dir / "access.log"
        return path.read_text().splitlines() if path.exists() else []

    def stop(self) -> None:
        """SIGTERM nginx (it stops at once on TERM: a fast shutdown)."""
        stop_process(self.process)
