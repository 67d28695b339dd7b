"""PostgreSQL hung for a while under a stream of writes: how /health, /ready and writes behave, and what is lost.

A throw-away PostgreSQL cluster (initdb + pg_ctl in a temporary directory, on a free port; never the machine's server)
backs the API served by uvicorn with ``heritage serve``'s options. Uploaders send feedback batches as an app does
(a failed batch is re-sent with the same event ids until acknowledged); a prober asks /health and /ready every
0.25 s. After a warm-up every process of the cluster is stopped (SIGSTOP) for ``--hang-s`` seconds, then resumed.
Prints one JSON object: /health and /ready latencies and answers during the hang, how long failed writes took and
whether each carried Retry-After, and acknowledged events missing from the database afterwards (must be 0).

    .venv/bin/python -m bench.db_hang --hang-s 10 --json
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import psycopg

PG_BIN = Path("/usr/lib/postgresql/15/bin")


def free_port() -> int:
    """A TCP port nothing listens on now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextlib.contextmanager
def throwaway_postgres() -> Iterator[tuple[str, Path]]:
    """A private PostgreSQL cluster on a free port: (SQLAlchemy URL of database ``heritage``, data directory)."""
    base = Path(tempfile.mkdtemp(prefix="heritage-hang-"))
    prefix: list[str] = []
    if os.geteuid() == 0:  # initdb refuses root: run the cluster as the postgres user
        account = pwd.getpwnam("postgres")
        os.chown(base, account.pw_uid, account.pw_gid)
        prefix = ["runuser", "-u", "postgres", "--"]
    data = base / "data"
    port = free_port()
    initdb = [*prefix, str(PG_BIN / "initdb"), "-D", str(data), "-U", "postgres", "--auth=trust", "-E", "UTF8"]
    subprocess.run(initdb, check=True, capture_output=True)
    options = f"-p {port} -k {base} -c listen_addresses=127.0.0.1"
    pg_ctl = [*prefix, str(PG_BIN / "pg_ctl"), "-D", str(data), "-o", options, "-l", str(base / "log"), "-w"]
    subprocess.run([*pg_ctl, "start"], check=True, capture_output=True)
    try:
        with psycopg.connect(f"postgresql://postgres@127.0.0.1:{port}/postgres", autocommit=True) as connection:
            connection.execute("CREATE DATABASE heritage")
        yield f"postgresql+psycopg://postgres@127.0.0.1:{port}/heritage", data
    finally:
        cluster_signal(data, signal.SIGCONT)
        subprocess.run([*pg_ctl, "-m", "immediate", "stop"], check=False, capture_output=True)
        shutil.rmtree(base, ignore_errors=True)


def cluster_pids(data: Path) -> list[int]:
    """The postmaster of the cluster in ``data`` and every process it started."""
    postmaster = int((data / "postmaster.pid").read_text().split()[0])
    pids = [postmaster]
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        with contextlib.suppress(OSError):
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            if int(fields[1]) == postmaster:
                pids.append(int(entry.name))
    return pids


def cluster_signal(data: Path, signum: int) -> None:
    """Send ``signum`` to every process of the cluster in ``data`` (SIGSTOP: hung; SIGCONT: resumed)."""
    with contextlib.suppress(OSError, ValueError):
        for pid in cluster_pids(data):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signum)


@contextlib.contextmanager
def serving(database_url: str, **overrides: Any) -> Iterator[str]:
    """The API on the current bundle behind uvicorn (``heritage serve``'s options) on a free port; yields its URL."""
    import uvicorn

    from api.app import create_app
    from api.city import current_spec
    from api.settings import Settings, get_settings
    from cli.serve_command import server_options
    from recommender.city import build_city, load_city

    defaults = get_settings()
    city = load_city(build_city(current_spec(defaults), defaults.bundle_dir))
    settings = Settings(database_url=database_url, redis_url=None, log_json=True, **overrides)
    port = free_port()
    config = uvicorn.Config(
        create_app(city=city, settings=settings),
        **server_options(settings, host="127.0.0.1", port=port),
        log_config=None,
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 120
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the server did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=30)


def run(*, hang_s: float, uploaders: int, warm_up_s: float, after_s: float) -> dict[str, Any]:
    """Hang the database once under load; the figures as a dict."""
    import logging

    logging.getLogger("api").setLevel(logging.ERROR)
    occurred = dt.datetime.now(tz=dt.UTC).replace(microsecond=0).isoformat()
    acknowledged: set[str] = set()
    failures: list[dict[str, Any]] = []
    probes: list[dict[str, Any]] = []
    phase = {"name": "before"}
    stop = threading.Event()
    lock = threading.Lock()
    unlimited = {"rate_limit_ip_per_min": 10**9, "rate_limit_token_per_min": 10**9}
    with throwaway_postgres() as (url, data), serving(url, **unlimited) as api:
        token = httpx.post(f"{api}/v1/auth/device", json={}).json()["access_token"]
        headers = {"Authorization": f"Bearer {token}"}

        def uploader() -> None:
            with httpx.Client(base_url=api, headers=headers, timeout=60) as client:
                while not stop.is_set():
                    batch = [f"evt-{uuid.uuid4().hex}" for _ in range(5)]
                    events = [
                        {"event_id": e, "kind": "visit", "place_id": "hoan-kiem-lake", "occurred_at": occurred}
                        for e in batch
                    ]
                    while not stop.is_set():
                        started = time.monotonic()
                        try:
                            response = client.post("/v1/feedback", json={"events": events})
                        except httpx.HTTPError as exc:
                            with lock:
                                failures.append({"phase": phase["name"], "status": type(exc).__name__})
                            continue
                        elapsed = time.monotonic() - started
                        if response.status_code == 200:
                            with lock:
                                acknowledged.update(response.json()["acknowledged"])
                            break
                        with lock:
                            failures.append(
                                {
                                    "phase": phase["name"],
                                    "status": response.status_code,
                                    "elapsed_s": elapsed,
                                    "retry_after": response.headers.get("retry-after"),
                                }
                            )
                        time.sleep(0.2)

        def prober() -> None:
            with httpx.Client(base_url=api, timeout=30) as client:
                while not stop.is_set():
                    for path in ("/health", "/ready"):
                        asked_in = phase["name"]  # the phase when asked, not when answered
                        started = time.monotonic()
                        response = client.get(path)
                        answer = response.json()
                        probes.append(
                            {
                                "phase": asked_in,
                                "path": path,
                                "status": response.status_code,
                                "says": answer.get("status", answer.get("ready")),
                                "elapsed_s": time.monotonic() - started,
                            }
                        )
                    time.sleep(0.25)

        threads = [threading.Thread(target=uploader) for _ in range(uploaders)] + [threading.Thread(target=prober)]
        for thread in threads:
            thread.start()
        time.sleep(warm_up_s)
        acknowledged_before = len(acknowledged)
        cluster_signal(data, signal.SIGSTOP)
        phase["name"] = "hung"  # after the stop: a probe answered just before it is not counted as "during"
        time.sleep(hang_s)
        cluster_signal(data, signal.SIGCONT)
        resumed = time.monotonic()
        phase["name"] = "after"
        first_ack_after: float | None = None
        count_at_resume = len(acknowledged)
        while time.monotonic() - resumed < after_s:
            if first_ack_after is None and len(acknowledged) > count_at_resume:
                first_ack_after = time.monotonic() - resumed
            time.sleep(0.02)
        stop.set()
        for thread in threads:
            thread.join(timeout=120)
        with psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://")) as connection:
            stored = {row[0] for row in connection.execute("SELECT event_id FROM feedback_events")}

    def summary(rows: list[dict[str, Any]], key: str = "elapsed_s") -> dict[str, Any]:
        values = sorted(row[key] for row in rows if key in row)
        if not values:
            return {"count": 0}
        return {"count": len(values), "max_s": round(values[-1], 3), "median_s": round(values[len(values) // 2], 3)}

    hung_probes = [probe for probe in probes if probe["phase"] == "hung"]
    hung_failures = [failure for failure in failures if failure["phase"] == "hung"]
    return {
        "hang_s": hang_s,
        "uploaders": uploaders,
        "health_during_hang": summary([p for p in hung_probes if p["path"] == "/health"])
        | {"answers": sorted({f"{p['status']} {p['says']}" for p in hung_probes if p["path"] == "/health"})},
        "ready_during_hang": summary([p for p in hung_probes if p["path"] == "/ready"])
        | {"answers": sorted({f"{p['status']} {p['says']}" for p in hung_probes if p["path"] == "/ready"})},
        "failed_writes_during_hang": summary(hung_failures)
        | {
            "statuses": sorted({str(f["status"]) for f in hung_failures}),
            "all_with_retry_after": all(f.get("retry_after") for f in hung_failures),
        },
        "failed_writes_other_phases": len(failures) - len(hung_failures),
        "acknowledged_before_hang": acknowledged_before,
        "acknowledged": len(acknowledged),
        "lost": len(acknowledged - stored),
        "first_write_acknowledged_after_resume_s": round(first_ack_after, 3) if first_ack_after is not None else None,
    }


def main() -> None:
    """Run it and print the JSON."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--hang-s", type=float, default=10.0, help="how long the cluster stays stopped (default 10)")
    parser.add_argument("--uploaders", type=int, default=8, help="concurrent feedback uploaders (default 8)")
    parser.add_argument("--warm-up-s", type=float, default=3.0, help="writes before the stop (default 3)")
    parser.add_argument("--after-s", type=float, default=8.0, help="writes after the resume (default 8)")
    parser.add_argument("--json", action="store_true", help="(always JSON; accepted for symmetry with other benches)")
    arguments = parser.parse_args()
    figures = run(
        hang_s=arguments.hang_s,
        uploaders=arguments.uploaders,
        warm_up_s=arguments.warm_up_s,
        after_s=arguments.after_s,
    )
    print(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
