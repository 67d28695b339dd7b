"""The HTTP API under load: `heritage serve` with 2 workers and Redis, driven by a load client on loopback.

``python -m bench.api --json`` prints one JSON object:

- ``cold_start``: seconds from starting ``heritage serve --workers 2`` until ``/ready`` answers 200, and until
  every worker has logged that it is ready; then the time of the first plan asked of the fresh server, against a
  second plan in the same run (what a fresh process's lazy set-up costs the first traveller);
- ``cached_routes``: ``GET /v1/routes`` with the same from/to/mode after one warm-up call (every answer a Redis
  cache hit): requests/s, latency p50/p95 at the client, the server's own time per request (its JSON log line);
- ``uncached_routes``: the baseline in the same run, the same GET with a different destination on every request
  (every answer computed), so the cache's ratio is measured rather than assumed;
- ``uncached_plans``: ``POST /v1/plans`` from 20 concurrent clients with distinct bodies (start point, interests,
  date and seed vary, so the cache never hits): p50/p95;
- ``uncached_plans_one_client_per_worker``: the baseline for the plans, the same kind of bodies with one client per
  worker, so that no plan waits for another;
- in each phase the established connections each worker holds (which worker accepted which client), and the CPU
  the server's processes, the load client and everything else on the machine used (in cores:
  they all share this machine's cores), and the cold start's baseline, a bare import of what the server imports.

The load client is a few forked processes, each holding one keep-alive connection and sending prepared request
bytes over a raw socket in a closed loop (send, read the whole answer, repeat): a Python client this simple costs
some 30-60 µs of CPU per request, far less than the server. The server gets a temporary SQLite file, a Redis key
prefix of its own (removed afterwards) and rate limits high enough for one address sending thousands of requests a
second; it is always stopped, on errors too.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import multiprocessing as mp
import os
import random
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psutil

from bench.measure import ROOT, percentiles_ms

REDIS_URL = "redis://127.0.0.1:6379/14"
"""A Redis database number of the benchmark's own; keys also carry a per-run prefix and are deleted afterwards."""
CENTRE = (21.0313, 105.8516)
PLAN_BODIES = 1500
"""Distinct plan bodies per client (a client cycles through them): more than it sends in a phase, so no plan is
a cache hit (each phase's ``cache_hits`` says so)."""
INTERESTS = (
    "heritage",
    "spiritual",
    "museum",
    "architecture",
    "craft_village",
    "cuisine",
    "market",
    "ci_centre",
    "nature",
)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


# --- the server ------------------------------------------------------------------------------------------------


class Server:
    """A ``heritage serve`` process group on a free loopback port, with its log in a temporary directory."""

    def __init__(self, *, workers: int, workdir: Path, prefix: str) -> None:
        self.port = free_port()
        self.workers = workers
        self.log_path = workdir / "server.log"
        self.env = {
            **os.environ,
            "REDIS_URL": REDIS_URL,
            "HERITAGE_REDIS_PREFIX": prefix,
            "HERITAGE_SQLITE_PATH": str(workdir / "bench.sqlite3"),
            "HERITAGE_RATE_LIMIT_IP_PER_MIN": str(10**9),
            "HERITAGE_RATE_LIMIT_TOKEN_PER_MIN": str(10**9),
            "HERITAGE_LOG_JSON": "true",
        }
        self.env.pop("DATABASE_URL", None)
        self.env.pop("HERITAGE_DATABASE_URL", None)
        self.process: subprocess.Popen[bytes] | None = None
        self._log: Any = None

    def start(self) -> dict[str, Any]:
        """Start the server; return the cold-start figures once every worker is ready."""
        self._log = self.log_path.open("wb")
        command = [sys.executable, "-m", "cli.main", "serve", "--port", str(self.port), "--workers", str(self.workers)]
        started = time.perf_counter()
        self.process = subprocess.Popen(
            command, cwd=ROOT, env=self.env, stdout=self._log, stderr=subprocess.STDOUT, start_new_session=True
        )
        first_ready_s = None
        deadline = started + 120
        while time.perf_counter() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the server exited ({self.process.returncode}):\n{self.log_path.read_text()}")
            if first_ready_s is None and self._ready():
                first_ready_s = time.perf_counter() - started
            if first_ready_s is not None and self.ready_workers() >= self.workers:
                return {
                    "to_first_ready_s": round(first_ready_s, 3),
                    "to_all_workers_ready_s": round(time.perf_counter() - started, 3),
                    "workers": self.workers,
                }
            time.sleep(0.01)
        raise RuntimeError("the server did not become ready in 120 s")

    def _ready(self) -> bool:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/ready", timeout=1) as response:
                return bool(response.status == 200)
        except (urllib.error.URLError, OSError):
            return False

    def ready_workers(self) -> int:
        return sum(1 for line in self.log_path.read_bytes().splitlines() if b'"ready: bundle' in line)

    def cpu_s(self) -> float:
        """CPU seconds used so far by the server's processes (the master and its workers)."""
        if self.process is None:
            return 0.0
        total = 0.0
        with contextlib.suppress(psutil.Error):
            parent = psutil.Process(self.process.pid)
            for process in [parent, *parent.children(recursive=True)]:
                with contextlib.suppress(psutil.Error):
                    times = process.cpu_times()
                    total += times.user + times.system
        return total

    def connections_per_worker(self) -> list[int]:
        """Established client connections held by each worker process, most first (who accepted what)."""
        counts = []
        with contextlib.suppress(psutil.Error):
            for worker in psutil.Process(self.process.pid if self.process else 0).children():
                with contextlib.suppress(psutil.Error):
                    held = worker.net_connections(kind="tcp")
                    counts.append(sum(1 for c in held if c.status == "ESTABLISHED" and c.laddr.port == self.port))
        return sorted(counts, reverse=True)

    def log_size(self) -> int:
        return self.log_path.stat().st_size

    def request_durations_ms(self, start: int, end: int, path: str) -> list[float]:
        """The ``duration_ms`` of the JSON request log lines for ``path`` between two log offsets."""
        with self.log_path.open("rb") as log:
            log.seek(start)
            chunk = log.read(end - start)
        durations = []
        for line in chunk.splitlines():
            if b'"duration_ms"' not in line:
                continue
            with contextlib.suppress(ValueError):
                record = json.loads(line)
                if record.get("path") == path and record.get("status") == 200:
                    durations.append(float(record["duration_ms"]))
        return durations

    def stop(self) -> None:
        """Stop the whole process group this benchmark started (SIGTERM, then SIGKILL)."""
        if self.process is not None and self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        if self._log is not None:
            self._log.close()


@contextlib.contextmanager
def running_server(*, workers: int) -> Iterator[tuple[Server, dict[str, Any]]]:
    """A started server and its cold-start figures; stopped and its Redis keys removed afterwards."""
    import redis

    prefix = f"bench-api:{os.getpid()}:{int(time.time())}:"
    client = redis.Redis.from_url(REDIS_URL, socket_timeout=2)
    client.ping()  # the targets are for Redis on: fail loudly without it
    with tempfile.TemporaryDirectory(prefix="bench-api-") as workdir:
        server = Server(workers=workers, workdir=Path(workdir), prefix=prefix)
        try:
            yield server, server.start()
        finally:
            server.stop()
            keys = list(client.scan_iter(match=prefix + "*", count=1000))
            for index in range(0, len(keys), 500):
                client.delete(*keys[index : index + 500])
            client.close()


# --- the load client -------------------------------------------------------------------------------------------


def get_request(port: int, target: str) -> bytes:
    return f"GET {target} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nAccept: application/json\r\n\r\n".encode()


def post_request(port: int, target: str, body: dict[str, Any]) -> bytes:
    data = json.dumps(body).encode()
    head = (
        f"POST {target} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nAccept: application/json\r\n"
        f"Content-Type: application/json\r\nContent-Length: {len(data)}\r\n\r\n"
    )
    return head.encode() + data


def read_response(sock: socket.socket, buffer: bytearray) -> tuple[int, bool]:
    """Read one whole response (Content-Length or chunked); return its status and whether it was a cache hit."""
    while True:
        end = buffer.find(b"\r\n\r\n")
        if end >= 0:
            break
        chunk = sock.recv(65536)
        if not chunk:
            raise ConnectionError("the server closed the connection")
        buffer += chunk
    head = bytes(buffer[:end]).lower()
    del buffer[: end + 4]
    status = int(head[9:12])
    hit = b"\r\nx-cache: hit" in head
    marker = head.find(b"\r\ncontent-length:")
    if marker >= 0:
        line_end = head.find(b"\r\n", marker + 2)
        length = int(head[marker + 17 : line_end if line_end > 0 else len(head)])
        while len(buffer) < length:
            chunk = sock.recv(max(65536, length - len(buffer)))
            if not chunk:
                raise ConnectionError("the server closed the connection")
            buffer += chunk
        del buffer[:length]
    else:  # chunked
        while not buffer.endswith(b"0\r\n\r\n"):
            chunk = sock.recv(65536)
            if not chunk:
                raise ConnectionError("the server closed the connection")
            buffer += chunk
        buffer.clear()
    return status, hit


def client_loop(port: int, requests: list[bytes], warmup_s: float, duration_s: float, results: Any) -> None:
    """One client: a keep-alive connection, closed loop over ``requests`` (cycled); timings after the warm-up."""
    sock = socket.create_connection(("127.0.0.1", port))
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    buffer = bytearray()
    latencies: list[float] = []
    statuses: Counter[int] = Counter()
    hits = 0
    index = 0
    begin = time.perf_counter()
    measure_from = begin + warmup_s
    stop_at = measure_from + duration_s
    cpu_start = None
    perf = time.perf_counter
    while True:
        now = perf()
        if now >= stop_at:
            break
        if cpu_start is None and now >= measure_from:
            cpu_start = time.process_time()
        sock.sendall(requests[index % len(requests)])
        index += 1
        status, hit = read_response(sock, buffer)
        done = perf()
        if now >= measure_from:
            latencies.append((done - now) * 1000)
            statuses[status] += 1
            hits += hit
    sock.close()
    cpu_s = time.process_time() - (cpu_start if cpu_start is not None else time.process_time())
    results.put({"latencies": latencies, "statuses": dict(statuses), "hits": hits, "cpu_s": cpu_s})


def run_load(
    server: Server,
    per_client: list[list[bytes]],
    *,
    warmup_s: float,
    duration_s: float,
    path: str,
) -> dict[str, Any]:
    """Drive the server with one process per entry of ``per_client``; the client and server figures of the phase."""
    context = mp.get_context("fork")
    results = context.Queue()
    processes = [
        context.Process(target=client_loop, args=(server.port, requests, warmup_s, duration_s, results))
        for requests in per_client
    ]
    for process in processes:
        process.start()
    time.sleep(warmup_s)
    connections = server.connections_per_worker()
    log_start, cpu_start, busy_start = server.log_size(), server.cpu_s(), machine_busy_s()
    time.sleep(duration_s)
    log_end, server_cpu, busy = server.log_size(), server.cpu_s() - cpu_start, machine_busy_s() - busy_start
    parts = [results.get(timeout=duration_s + 120) for _ in processes]
    for process in processes:
        process.join()
    latencies = [value for part in parts for value in part["latencies"]]
    statuses: Counter[int] = Counter()
    for part in parts:
        statuses.update({int(code): count for code, count in part["statuses"].items()})
    client_cpu = sum(part["cpu_s"] for part in parts)
    server_ms = server.request_durations_ms(log_start, log_end, path)
    return {
        "clients": len(per_client),
        "duration_s": duration_s,
        "requests": len(latencies),
        "requests_per_s": round(len(latencies) / duration_s, 1),
        "ok_per_s": round(statuses[200] / duration_s, 1),
        "statuses": {str(code): count for code, count in sorted(statuses.items())},
        "cache_hits": sum(part["hits"] for part in parts),
        "latency": percentiles_ms(latencies, digits=2),
        "server_time_per_request": percentiles_ms(server_ms, digits=2),
        "server_cpu_cores": round(server_cpu / duration_s, 2),
        "client_cpu_cores": round(client_cpu / duration_s, 2),
        "other_cpu_cores": round(max(0.0, busy - server_cpu - client_cpu) / duration_s, 2),
        "server_cpu_ms_per_request": round(1000 * server_cpu / max(1, len(latencies)), 3),
        "connections_per_worker": connections,
    }


def machine_busy_s() -> float:
    """CPU seconds the whole machine has spent busy (every process, this benchmark's and others')."""
    times = psutil.cpu_times()
    return float(sum(times) - times.idle - getattr(times, "iowait", 0.0))


def import_s() -> float:
    """Seconds a fresh interpreter takes to import what ``heritage serve`` imports (the floor of a cold start).

    Timed inside the child, so the interpreter's start and its exit (slow with these modules) are left out.
    """
    code = "import time; t = time.perf_counter(); import cli.main, api.app; print(time.perf_counter() - t)"
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True, capture_output=True, text=True)
    return round(float(done.stdout.strip()), 3)


def random_point(rng: random.Random, spread: float = 0.012) -> str:
    return f"{CENTRE[0] + rng.uniform(-spread, spread):.5f},{CENTRE[1] + rng.uniform(-spread, spread):.5f}"


def plan_body(rng: random.Random, seed: int) -> dict[str, Any]:
    chosen = rng.sample(INTERESTS, rng.randint(1, 3))
    day = 1 + seed % 28
    start_hour = rng.randint(7, 10)
    return {
        "start": random_point(rng),
        "date": f"2026-12-{day:02d}",
        "window": f"{start_hour:02d}:00-{start_hour + rng.randint(6, 9):02d}:00",
        "interests": {name: round(rng.uniform(0.2, 1.0), 3) for name in chosen},
        "mode": rng.choice(["walk", "bus"]),
        "seed": seed,
    }


def timed_ms(port: int, request: bytes) -> float:
    """Milliseconds for one request on a fresh connection (the first plans after start-up)."""
    started = time.perf_counter()
    check(port, request)
    return round((time.perf_counter() - started) * 1000, 1)


def check(port: int, request: bytes) -> int:
    """Send one request on a fresh connection and return its status (the warm-up and sanity call)."""
    with socket.create_connection(("127.0.0.1", port)) as sock:
        sock.sendall(request)
        status, _ = read_response(sock, bytearray())
        return status


def bench_api(
    *, workers: int = 2, get_clients: int = 8, duration_s: float = 10.0, plan_clients: int = 20, plan_s: float = 20.0
) -> dict[str, Any]:
    """Every figure of the module docstring, in one run."""
    rng = random.Random(0)
    result: dict[str, Any] = {
        "cores": os.cpu_count(),
        "load_average_before": [round(value, 2) for value in os.getloadavg()],
        "redis": REDIS_URL,
    }
    imports = import_s()
    with running_server(workers=workers) as (server, cold_start):
        port = server.port
        first, second = (post_request(port, "/v1/plans", plan_body(rng, 20_000_000 + index)) for index in range(2))
        result["cold_start"] = {
            **cold_start,
            "baseline_import_only_s": imports,
            "first_plan_ms": timed_ms(port, first),
            "baseline_second_plan_ms": timed_ms(port, second),
        }
        cached = get_request(port, "/v1/routes?from=hoan-kiem-lake&to=temple-of-literature&mode=walk")
        status = check(port, cached)
        if status != 200:
            raise RuntimeError(f"the warm-up GET /v1/routes answered {status}")
        result["cached_routes"] = run_load(
            server, [[cached]] * get_clients, warmup_s=1.0, duration_s=duration_s, path="/v1/routes"
        )
        uncached = [
            [get_request(port, f"/v1/routes?from=hoan-kiem-lake&to={random_point(rng)}&mode=walk") for _ in range(4000)]
            for _ in range(get_clients)
        ]
        result["uncached_routes"] = run_load(server, uncached, warmup_s=1.0, duration_s=duration_s, path="/v1/routes")
        result["cache_speedup"] = round(
            result["cached_routes"]["requests_per_s"] / max(0.1, result["uncached_routes"]["requests_per_s"]), 1
        )
        plans = [
            [post_request(port, "/v1/plans", plan_body(rng, client * 100_000 + index)) for index in range(PLAN_BODIES)]
            for client in range(plan_clients)
        ]
        result["uncached_plans"] = run_load(server, plans, warmup_s=3.0, duration_s=plan_s, path="/v1/plans")
        # Baseline: the same kind of plans with one client per worker, so no plan waits for another.
        alone = [
            [
                post_request(port, "/v1/plans", plan_body(rng, 10_000_000 + client * 100_000 + index))
                for index in range(PLAN_BODIES * 4)
            ]
            for client in range(workers)
        ]
        result["uncached_plans_one_client_per_worker"] = run_load(
            server, alone, warmup_s=1.0, duration_s=plan_s / 2, path="/v1/plans"
        )
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--json", action="store_true", help="print JSON (the only output format)")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--get-clients", type=int, default=8, help="concurrent connections for the GET phases")
    parser.add_argument("--duration", type=float, default=10.0, help="seconds measured per GET phase")
    parser.add_argument("--plan-clients", type=int, default=20)
    parser.add_argument("--plan-duration", type=float, default=20.0, help="seconds measured for the plans")
    args = parser.parse_args()
    result = bench_api(
        workers=args.workers,
        get_clients=args.get_clients,
        duration_s=args.duration,
        plan_clients=args.plan_clients,
        plan_s=args.plan_duration,
    )
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
