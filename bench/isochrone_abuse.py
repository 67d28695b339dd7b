"""One client hammering uncached bus isochrones against other clients' routes (issue 14, finding 5).

``python -m bench.isochrone_abuse --json`` starts two ``heritage serve`` replicas behind nginx (Redis, as
:mod:`bench.api` does; default rate limits and cost budget, ``127.0.0.1`` a trusted proxy so each load client is
its own address through ``X-Forwarded-For``) and prints one JSON object:

- ``unloaded``: the victims alone: a few clients, each from its own address, asking ``GET /v1/routes`` (walk, a
  random point to a random point, so most answers are computed) with a short pause between requests: p50/p95;
- ``loaded``: the same victims while one abusive client (one address, several connections, no pause, Retry-After
  ignored) asks ``GET /v1/isochrones?mode=bus&minutes=30`` at a new random point each time (never a cache hit):
  the victims' p50/p95 and the abuser's answers by status (``refused`` = 429);
- ``p95_ratio``: loaded p95 / unloaded p95 of the victims (the target: at most 2);
- with ``--without-budget`` (default on) a second server in the same run with the cost budget made unlimited
  (``HERITAGE_COST_BUDGET_TOKENS=1e9``), the same loaded phase: what the budget prevents.

Every phase is bounded (``--phase-s`` seconds); the servers are always stopped and their Redis keys removed.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import multiprocessing as mp
import random
import time
from collections import Counter
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlencode

from bench.api import Deployment, running_deployment
from bench.measure import percentiles_ms

CENTRE = (21.0313, 105.8516)
VICTIMS = 3
ABUSER_CONNECTIONS = 3
VICTIM_PAUSE_S = 0.12
"""Each victim stays under the per-address limit of 600 requests a minute (it measures latency, not the count limit)."""


@contextlib.contextmanager
def server(*, budget: bool) -> Iterator[Deployment]:
    """Two replicas behind nginx (:mod:`bench.api`) with default limits (unless ``budget`` is off); always stopped."""
    unlimited: dict[str, str | None] = {
        "HERITAGE_COST_BUDGET_TOKENS": "1000000000",
        "HERITAGE_COST_REFILL_PER_S": "10000",
    }
    env: dict[str, str | None] = {"HERITAGE_RATE_LIMIT_IP_PER_MIN": None, "HERITAGE_RATE_LIMIT_TOKEN_PER_MIN": None}
    with running_deployment(replicas=2, env=env | ({} if budget else unlimited)) as (running, _):
        yield running


def point(rng: random.Random, spread: float = 0.012) -> str:
    return f"{CENTRE[0] + rng.uniform(-spread, spread):.5f},{CENTRE[1] + rng.uniform(-spread, spread):.5f}"


def load_client(port: int, kind: str, address: str, seed: int, duration_s: float, results: Any) -> None:  # noqa: PLR0917 - a process target
    """One closed-loop client on one keep-alive connection until ``duration_s`` passes: (status, ms) pairs."""
    rng = random.Random(seed)
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    headers = {"X-Forwarded-For": address, "Accept": "application/json"}
    answers: list[tuple[int, float]] = []
    deadline = time.perf_counter() + duration_s
    while time.perf_counter() < deadline:
        if kind == "victim":
            target = "/v1/routes?" + urlencode({"from": point(rng), "to": point(rng), "mode": "walk"})
        else:
            target = "/v1/isochrones?" + urlencode({"at": point(rng), "minutes": 30, "mode": "bus"})
        started = time.perf_counter()
        try:
            connection.request("GET", target, headers=headers)
            response = connection.getresponse()
            response.read()
            status = response.status
        except (OSError, http.client.HTTPException):
            connection.close()
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            status = 0
        answers.append((status, (time.perf_counter() - started) * 1000))
        if kind == "victim":
            time.sleep(VICTIM_PAUSE_S)
    connection.close()
    results.put((kind, answers))


def phase(port: int, *, abuse: bool, duration_s: float) -> dict[str, Any]:
    """Run the victims (and the abuser) for ``duration_s``; their figures (victim latency over answered routes).

    Victims take fresh addresses in each phase, so the per-minute counters of one phase do not refuse the next.
    """
    context = mp.get_context("fork")
    results = context.Queue()
    subnet = 2 if abuse else 1
    clients = [("victim", f"10.1.{subnet}.{index + 1}", index) for index in range(VICTIMS)]
    if abuse:
        clients += [("abuser", "10.9.9.9", 1000 + index) for index in range(ABUSER_CONNECTIONS)]
    processes = [
        context.Process(target=load_client, args=(port, kind, address, seed, duration_s, results))
        for kind, address, seed in clients
    ]
    for process in processes:
        process.start()
    gathered = [results.get(timeout=duration_s + 120) for _ in processes]
    for process in processes:
        process.join()
    victim = [answer for kind, answers in gathered if kind == "victim" for answer in answers]
    abuser = [answer for kind, answers in gathered if kind == "abuser" for answer in answers]
    report: dict[str, Any] = {
        "victim_routes": percentiles_ms([ms for status, ms in victim if status != 429], digits=2),
        "victim_statuses": dict(Counter(str(status) for status, _ in victim)),
    }
    if abuse:
        statuses = Counter(str(status) for status, _ in abuser)
        report["abuser"] = {
            "requests": len(abuser),
            "statuses": dict(statuses),
            "refused": statuses.get("429", 0),
            "answered_200": statuses.get("200", 0),
            "latency_200": percentiles_ms([ms for status, ms in abuser if status == 200], digits=1),
        }
    return report


def warm(port: int) -> None:
    """A few routes and one isochrone, so lazy set-up is not measured."""
    rng = random.Random(99)
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    for index in range(20):
        connection.request(
            "GET",
            "/v1/routes?" + urlencode({"from": point(rng), "to": point(rng)}),
            headers={"X-Forwarded-For": f"10.2.0.{index}"},
        )
        connection.getresponse().read()
    connection.close()


def bench(*, phase_s: float, without_budget: bool) -> dict[str, Any]:
    report: dict[str, Any] = {"phase_s": phase_s, "victims": VICTIMS, "abuser_connections": ABUSER_CONNECTIONS}
    with server(budget=True) as running:
        warm(running.port)
        report["unloaded"] = phase(running.port, abuse=False, duration_s=phase_s)
        report["loaded"] = phase(running.port, abuse=True, duration_s=phase_s)
    unloaded = report["unloaded"]["victim_routes"]["p95_ms"]
    report["p95_ratio"] = round(report["loaded"]["victim_routes"]["p95_ms"] / unloaded, 3) if unloaded else None
    if without_budget:
        with server(budget=False) as running:
            warm(running.port)
            loaded = phase(running.port, abuse=True, duration_s=phase_s)
        report["loaded_without_budget"] = loaded
        report["p95_ratio_without_budget"] = (
            round(loaded["victim_routes"]["p95_ms"] / unloaded, 3) if unloaded else None
        )
    return report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--phase-s", type=float, default=20.0)
    parser.add_argument("--without-budget", action=argparse.BooleanOptionalAction, default=True)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    print(json.dumps(bench(phase_s=args.phase_s, without_budget=args.without_budget), indent=None if args.json else 2))


if __name__ == "__main__":
    main()
