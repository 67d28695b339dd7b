"""The HTTP API under load: `heritage serve` replicas behind the real nginx, with Redis, driven on loopback.

``python -m bench.api --json`` prints one JSON object. Two replicas (``--replicas``) run behind nginx with
``deploy/nginx/heritage.conf`` (:mod:`bench.replicas`), then, in the same run, one replica behind the same nginx:

- ``cold_start``: seconds from starting both replicas together until each answers ``/ready`` and has logged that
  it is ready (warm-up plan included); then the first plan asked of the fresh replicas, against a second one;
- ``cached_routes``: ``GET /v1/routes`` with the same from/to/mode after one warm-up call (every answer a Redis
  cache hit): requests/s, latency p50/p95 at the client, the server's own time per request (its JSON log line);
- ``uncached_routes``: the baseline in the same run, the same GET with a different destination on every request
  (every answer computed), so the cache's ratio is measured rather than assumed;
- ``uncached_plans``: ``POST /v1/plans`` from 20 concurrent clients with distinct bodies (start point, interests,
  date and seed vary, so the cache never hits): p50/p95;
- ``uncached_plans_one_client_per_replica``: the same kind of bodies with one client per replica, so that no plan
  waits for another;
- ``one_replica_uncached_plans``: the baseline of the replicas, the 20-client plans phase against one replica
  behind the same nginx, and ``plans_p95_one_replica_over_replicas``, the ratio of the two p95s;
- in each phase the answers each replica logged (how nginx spread them), and the CPU the replicas, nginx, the load
  client and everything else on the machine used (in cores: they all share this machine's cores), and the cold
  start's baseline, a bare import of what the server imports.

The load client is a few forked processes, each holding one keep-alive connection to nginx and sending prepared
request bytes over a raw socket in a closed loop (send, read the whole answer, repeat): a Python client this simple
costs some 30-60 µs of CPU per request, far less than the server. The replicas share a temporary SQLite file, a
Redis key prefix of their own (removed afterwards) and rate limits high enough for one address sending thousands of
requests a second; they and nginx are always stopped, on errors and SIGTERM too.
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
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psutil

from bench.measure import ROOT, percentiles_ms
from bench.replicas import Proxy, Replica, nginx_path, wait_ready

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


# --- the deployment ---------------------------------------------------------------------------------------------


class Deployment:
    """``replicas`` ``heritage serve`` processes behind the real nginx (``deploy/nginx/heritage.conf``).

    One SQLite file (plans and routes do not write to it), Redis under a per-run prefix, rate limits raised so one
    address can send thousands of requests a second (every request still counts against them in Redis), and
    127.0.0.1 a trusted proxy (nginx). ``env`` changes the replicas' environment (None removes a variable).
    """

    def __init__(self, *, replicas: int, workdir: Path, prefix: str, env: dict[str, str | None] | None = None) -> None:
        binary = nginx_path()
        if binary is None:
            raise RuntimeError("nginx is not installed: run `make nginx` (apt-get install -y nginx)")
        base = {
            **os.environ,
            "REDIS_URL": REDIS_URL,
            "HERITAGE_REDIS_PREFIX": prefix,
            "HERITAGE_SQLITE_PATH": str(workdir / "bench.sqlite3"),
            "HERITAGE_RATE_LIMIT_IP_PER_MIN": str(10**9),
            "HERITAGE_RATE_LIMIT_TOKEN_PER_MIN": str(10**9),
            "HERITAGE_TRUSTED_PROXIES": '["127.0.0.1"]',
        }
        for name, value in {"DATABASE_URL": None, "HERITAGE_DATABASE_URL": None, **(env or {})}.items():
            if value is None:
                base.pop(name, None)
            else:
                base[name] = value
        self.replicas = [Replica(f"replica-{index + 1}", workdir=workdir, env=base) for index in range(replicas)]
        self.proxy = Proxy([replica.port for replica in self.replicas], workdir=workdir, binary=binary)
        self.port = self.proxy.port

    def start(self) -> dict[str, Any]:
        """Start nginx and every replica at once; the cold-start figures once every replica is ready."""
        self.proxy.start()
        started = time.perf_counter()
        for replica in self.replicas:
            replica.launch()
        wait_ready(self.replicas)
        return {"to_all_replicas_ready_s": round(time.perf_counter() - started, 3), "replicas": len(self.replicas)}

    def cpu_s(self) -> tuple[float, float]:
        """CPU seconds used so far by the replicas, and by nginx."""
        return sum(replica.cpu_s() for replica in self.replicas), self.proxy.cpu_s()

    def log_sizes(self) -> list[int]:
        return [replica.log_size() for replica in self.replicas]

    def answers(self, start: list[int], end: list[int], path: str) -> tuple[list[float], list[int]]:
        """The ``duration_ms`` of the 200 answers to ``path`` logged between two offsets, and each replica's count."""
        durations: list[float] = []
        counts = []
        for replica, first, last in zip(self.replicas, start, end, strict=True):
            records = [r for r in replica.request_log(first, last) if r.get("path") == path and r.get("status") == 200]
            durations += [float(record["duration_ms"]) for record in records]
            counts.append(len(records))
        return durations, counts

    def stop(self) -> None:
        self.proxy.stop()
        for replica in self.replicas:
            replica.stop()


@contextlib.contextmanager
def running_deployment(
    *, replicas: int, env: dict[str, str | None] | None = None
) -> Iterator[tuple[Deployment, dict[str, Any]]]:
    """A started deployment and its cold-start figures; stopped and its Redis keys removed afterwards."""
    import redis

    prefix = f"bench-api:{os.getpid()}:{time.time_ns()}:"
    client = redis.Redis.from_url(REDIS_URL, socket_timeout=2)
    client.ping()  # the targets are for Redis on: fail loudly without it
    with tempfile.TemporaryDirectory(prefix="bench-api-") as workdir:
        deployment = Deployment(replicas=replicas, workdir=Path(workdir), prefix=prefix, env=env)
        try:
            yield deployment, deployment.start()
        finally:
            deployment.stop()
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


def read_response(sock: socket.socket, buffer: bytearray) -> tuple[int, bool, bool]:
    """Read one whole response (Content-Length or chunked): its status, whether it was a cache hit, and whether
    the server closes the connection after it (nginx does after ``keepalive_requests``, 1,000 by default)."""
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
    closing = b"\r\nconnection: close" in head
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
    return status, hit, closing


def connect(port: int) -> socket.socket:
    sock = socket.create_connection(("127.0.0.1", port))
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return sock


def client_loop(port: int, requests: list[bytes], warmup_s: float, duration_s: float, results: Any) -> None:
    """One client: a keep-alive connection (a new one when the server closes it), closed loop over ``requests``
    (cycled); timings after the warm-up."""
    sock = connect(port)
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
        status, hit, closing = read_response(sock, buffer)
        done = perf()
        if now >= measure_from:
            latencies.append((done - now) * 1000)
            statuses[status] += 1
            hits += hit
        if closing:
            sock.close()
            sock, buffer = connect(port), bytearray()
    sock.close()
    cpu_s = time.process_time() - (cpu_start if cpu_start is not None else time.process_time())
    results.put({"latencies": latencies, "statuses": dict(statuses), "hits": hits, "cpu_s": cpu_s})


def run_load(
    deployment: Deployment,
    per_client: list[list[bytes]],
    *,
    warmup_s: float,
    duration_s: float,
    path: str,
) -> dict[str, Any]:
    """Drive nginx with one process per entry of ``per_client``; the client and server figures of the phase."""
    context = mp.get_context("fork")
    results = context.Queue()
    processes = [
        context.Process(target=client_loop, args=(deployment.port, requests, warmup_s, duration_s, results))
        for requests in per_client
    ]
    for process in processes:
        process.start()
    time.sleep(warmup_s)
    logs_start, (cpu_start, nginx_start), busy_start = deployment.log_sizes(), deployment.cpu_s(), machine_busy_s()
    time.sleep(duration_s)
    logs_end, (cpu_end, nginx_end), busy_end = deployment.log_sizes(), deployment.cpu_s(), machine_busy_s()
    server_cpu, nginx_cpu, busy = cpu_end - cpu_start, nginx_end - nginx_start, busy_end - busy_start
    parts = [results.get(timeout=duration_s + 120) for _ in processes]
    for process in processes:
        process.join()
    latencies = [value for part in parts for value in part["latencies"]]
    statuses: Counter[int] = Counter()
    for part in parts:
        statuses.update({int(code): count for code, count in part["statuses"].items()})
    client_cpu = sum(part["cpu_s"] for part in parts)
    server_ms, per_replica = deployment.answers(logs_start, logs_end, path)
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
        "nginx_cpu_cores": round(nginx_cpu / duration_s, 2),
        "client_cpu_cores": round(client_cpu / duration_s, 2),
        "other_cpu_cores": round(max(0.0, busy - server_cpu - nginx_cpu - client_cpu) / duration_s, 2),
        "server_cpu_ms_per_request": round(1000 * server_cpu / max(1, len(latencies)), 3),
        "answers_per_replica": per_replica,
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
        status, _, _ = read_response(sock, bytearray())
        return status


def plan_phase(
    deployment: Deployment, rng: random.Random, *, clients: int, bodies: int, seed: int, duration_s: float
) -> dict[str, Any]:
    """``clients`` closed-loop clients sending distinct plan bodies (none a cache hit) for ``duration_s``."""
    plans = [
        [
            post_request(deployment.port, "/v1/plans", plan_body(rng, seed + client * 100_000 + index))
            for index in range(bodies)
        ]
        for client in range(clients)
    ]
    return run_load(deployment, plans, warmup_s=3.0, duration_s=duration_s, path="/v1/plans")


def bench_api(
    *, replicas: int = 2, get_clients: int = 8, duration_s: float = 10.0, plan_clients: int = 20, plan_s: float = 20.0
) -> dict[str, Any]:
    """Every figure of the module docstring, in one run."""
    rng = random.Random(0)
    result: dict[str, Any] = {
        "cores": os.cpu_count(),
        "load_average_before": [round(value, 2) for value in os.getloadavg()],
        "redis": REDIS_URL,
        "nginx": nginx_version(),
    }
    imports = import_s()
    with running_deployment(replicas=replicas) as (deployment, cold_start):
        port = deployment.port
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
            deployment, [[cached]] * get_clients, warmup_s=1.0, duration_s=duration_s, path="/v1/routes"
        )
        uncached = [
            [get_request(port, f"/v1/routes?from=hoan-kiem-lake&to={random_point(rng)}&mode=walk") for _ in range(4000)]
            for _ in range(get_clients)
        ]
        result["uncached_routes"] = run_load(
            deployment, uncached, warmup_s=1.0, duration_s=duration_s, path="/v1/routes"
        )
        result["cache_speedup"] = round(
            result["cached_routes"]["requests_per_s"] / max(0.1, result["uncached_routes"]["requests_per_s"]), 1
        )
        result["uncached_plans"] = plan_phase(
            deployment, rng, clients=plan_clients, bodies=PLAN_BODIES, seed=0, duration_s=plan_s
        )
        # Baseline: the same kind of plans with one client per replica, so no plan waits for another.
        result["uncached_plans_one_client_per_replica"] = plan_phase(
            deployment, rng, clients=replicas, bodies=PLAN_BODIES * 4, seed=10_000_000, duration_s=plan_s / 2
        )
    # Baseline in the same run: the same plans phase through the same nginx in front of one replica.
    with running_deployment(replicas=1) as (deployment, cold_start):
        result["one_replica_cold_start"] = cold_start
        result["one_replica_uncached_plans"] = plan_phase(
            deployment, rng, clients=plan_clients, bodies=PLAN_BODIES, seed=30_000_000, duration_s=plan_s
        )
    p95 = result["uncached_plans"]["latency"]["p95_ms"]
    result["plans_p95_one_replica_over_replicas"] = round(
        result["one_replica_uncached_plans"]["latency"]["p95_ms"] / p95, 2
    )
    return result


def nginx_version() -> str:
    binary = nginx_path()
    if binary is None:
        return "not installed"
    return subprocess.run([binary, "-v"], capture_output=True, text=True, check=False).stderr.strip()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--json", action="store_true", help="print JSON (the only output format)")
    parser.add_argument("--replicas", type=int, default=2, help="replicas behind nginx (the baseline has one)")
    parser.add_argument("--get-clients", type=int, default=8, help="concurrent connections for the GET phases")
    parser.add_argument("--duration", type=float, default=10.0, help="seconds measured per GET phase")
    parser.add_argument("--plan-clients", type=int, default=20)
    parser.add_argument("--plan-duration", type=float, default=20.0, help="seconds measured for the plans")
    args = parser.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))  # stop the replicas and nginx on the way out
    result = bench_api(
        replicas=args.replicas,
        get_clients=args.get_clients,
        duration_s=args.duration,
        plan_clients=args.plan_clients,
        plan_s=args.plan_duration,
    )
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
