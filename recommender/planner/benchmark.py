"""The OPTW benchmark: solve every instance of a directory, check every route, compare with best-known scores.

Used by ``python -m bench.optw`` and ``heritage bench optw``. Solomon and Cordeau instances are solved with one route
(the best-known file is for ``m = 1``); Gavalas TTDP instances with the number of tours their file gives.
"""

from __future__ import annotations

import csv
import re
import statistics
import time
from collections import defaultdict
from collections.abc import Iterator, Sequence
from pathlib import Path

from recommender.planner.errors import MalformedInstanceError
from recommender.planner.feasibility import check_solution
from recommender.planner.optw_io import read_instance
from recommender.planner.problem import Problem
from recommender.planner.solver import solve

Record = dict[str, object]

_SET = re.compile(r"^(rc|c|r)(\d)\d\d$|^(pr)(\d\d)$|^(t)(\d)\d\d$")
_NATURAL = re.compile(r"(\d+)")
_PR_SECOND_HALF = 10


def run_optw_benchmark(
    instances_dir: Path | str,
    *,
    time_limit_s: float = 1.0,
    seed: int = 0,
    best_known_csv: Path | str | None = None,
    names: Sequence[str] | None = None,
    max_iterations: int | None = None,
) -> Iterator[Record]:
    """Solve every ``*.txt`` instance of ``instances_dir`` in natural order; yield one record each, then a summary.

    An instance record has ``instance``, ``score``, ``time_s`` (reading plus solving, wall clock), ``route`` (the
    visited vertex numbers in order, depot excluded; days one after another when ``m > 1``), and ``m``, ``n``,
    ``routes`` (one list per day), ``iterations``, ``cpu_s``, ``feasible`` (by the independent checker) with its
    ``violations``, and, when a best-known score is listed, ``best_known`` and ``gap_pct`` (negative when better).

    The summary record has ``"summary": true`` and, over the instances with a best-known score, the mean gap
    (``mean_gap_pct`` counts a score above the best-known as 0; ``mean_gap_signed_pct`` does not), how many and
    which share are at (or above) it, and the max and mean time; plus a summary per instance set and the one-off
    time to load the compiled kernels (``warmup_s``, not counted in any instance).

    Each instance gets ``time_limit_s`` including reading its file; with ``max_iterations`` the search also stops
    after that many iterations, which makes the scores reproducible for a seed on any machine.

    Raises
    ------
    MalformedInstanceError
        If an instance or the best-known file cannot be parsed (the message names the file and line).
    FileNotFoundError
        If the directory has no instance to run.
    """
    directory = Path(instances_dir)
    paths = sorted(directory.glob("*.txt"), key=_natural_key)
    if names is not None:
        wanted = set(names)
        paths = [path for path in paths if path.stem in wanted]
    if not paths:
        raise FileNotFoundError(f"no instance (*.txt) to run in {directory}")
    best_known = read_best_known(best_known_csv) if best_known_csv is not None else {}
    warmup_s = _warm_up()
    records: list[Record] = []
    for path in paths:
        record = _run_one(
            path,
            time_limit_s=time_limit_s,
            seed=seed,
            max_iterations=max_iterations,
            best_known=best_known.get(path.stem),
        )
        records.append(record)
        yield record
    yield _summary(records, time_limit_s=time_limit_s, max_iterations=max_iterations, seed=seed, warmup_s=warmup_s)


def read_best_known(path: Path | str) -> dict[str, float]:
    """Best-known scores by instance name from a CSV with ``instance`` and ``bks`` columns.

    Raises
    ------
    MalformedInstanceError
        If the header lacks those columns or a score is not a number.
    """
    name = str(path)
    with Path(path).open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        if not reader.fieldnames or not {"instance", "bks"} <= set(reader.fieldnames):
            raise MalformedInstanceError(name, 1, "expected the columns 'instance' and 'bks'")
        scores = {}
        for row in reader:
            try:
                scores[row["instance"]] = float(row["bks"])
            except (TypeError, ValueError) as exc:
                raise MalformedInstanceError(name, reader.line_num, f"bks is not a number: {row['bks']!r}") from exc
    return scores


def instance_set(name: str) -> str:
    """The benchmark set of an instance name: ``c1``, ``r2``, ``rc2``, ``pr01-10``, ``t1`` ... or ``other``."""
    match = _SET.match(name)
    if match is None:
        return "other"
    if match.group(3):
        return "pr01-10" if int(match.group(4)) <= _PR_SECOND_HALF else "pr11-20"
    if match.group(5):
        return f"t{match.group(6)}"
    return f"{match.group(1)}{match.group(2)}"


def _run_one(
    path: Path, *, time_limit_s: float, seed: int, max_iterations: int | None, best_known: float | None
) -> Record:
    wall, cpu = time.perf_counter(), time.process_time()
    problem = read_instance(path)
    left_s = max(0.0, time_limit_s - (time.perf_counter() - wall))
    solution = solve(problem, time_limit_s=left_s, seed=seed, max_iterations=max_iterations)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    routes = solution.node_lists
    violations = check_solution(problem, routes)
    record: Record = {
        "instance": path.stem,
        "score": _number(solution.score),
        "time_s": round(wall, 3),
        "route": [node for route in routes for node in route],
        "m": problem.n_routes,
        "n": problem.n_nodes - 1,
        "routes": routes,
        "iterations": solution.iterations,
        "cpu_s": round(cpu, 3),
        "feasible": not violations,
        "violations": violations,
    }
    if best_known is not None:
        record["best_known"] = _number(best_known)
        record["gap_pct"] = round(100.0 * (best_known - solution.score) / best_known, 3) if best_known else 0.0
    return record


def _summary(
    records: list[Record], *, time_limit_s: float, max_iterations: int | None, seed: int, warmup_s: float
) -> Record:
    known = [record for record in records if "gap_pct" in record]
    gaps = [float(str(record["gap_pct"])) for record in known]
    times = [float(str(record["time_s"])) for record in records]
    at_best = [str(record["instance"]) for record in known if float(str(record["gap_pct"])) <= 0]
    by_set: dict[str, list[Record]] = defaultdict(list)
    for record in records:
        by_set[instance_set(str(record["instance"]))].append(record)
    return {
        "summary": True,
        "instances": len(records),
        "time_limit_s": time_limit_s,
        "max_iterations": max_iterations,
        "seed": seed,
        "with_best_known": len(known),
        "mean_gap_pct": round(statistics.fmean([max(0.0, gap) for gap in gaps]), 3) if gaps else None,
        "mean_gap_signed_pct": round(statistics.fmean(gaps), 3) if gaps else None,
        "at_best_known": len(at_best),
        "share_at_best_known": round(len(at_best) / len(known), 3) if known else None,
        "above_best_known": [str(record["instance"]) for record in known if float(str(record["gap_pct"])) < 0],
        "max_time_s": round(max(times), 3),
        "mean_time_s": round(statistics.fmean(times), 3),
        "all_feasible": all(bool(record["feasible"]) for record in records),
        "warmup_s": round(warmup_s, 3),
        "sets": {name: _set_summary(members) for name, members in sorted(by_set.items())},
    }


def _set_summary(records: list[Record]) -> Record:
    times = [float(str(record["time_s"])) for record in records]
    summary: Record = {
        "instances": len(records),
        "mean_score": round(statistics.fmean(float(str(record["score"])) for record in records), 2),
        "mean_time_s": round(statistics.fmean(times), 3),
        "max_time_s": round(max(times), 3),
        "feasible": sum(bool(record["feasible"]) for record in records),
    }
    gaps = [float(str(record["gap_pct"])) for record in records if "gap_pct" in record]
    if gaps:
        summary["mean_gap_pct"] = round(statistics.fmean([max(0.0, gap) for gap in gaps]), 3)
        summary["at_best_known"] = sum(gap <= 0 for gap in gaps)
    return summary


def _warm_up() -> float:
    """Load (or compile) the solver's kernels on a three-node problem, so no instance pays for it."""
    started = time.perf_counter()
    problem = Problem.from_windows(
        score=[0.0, 1.0, 1.0],
        service_s=[0.0, 1.0, 1.0],
        travel_s=[[0.0, 1.0, 1.0], [1.0, 0.0, 1.0], [1.0, 1.0, 0.0]],
        windows=[[(0.0, 10.0)], [(0.0, 10.0)], [(0.0, 10.0)]],
        days=[(0.0, 10.0)],
        mandatory=[1],
    )
    solve(problem, time_limit_s=None, max_iterations=2)
    return time.perf_counter() - started


def _number(value: float) -> float | int:
    return int(value) if float(value).is_integer() else value


def _natural_key(path: Path) -> list[object]:
    return [int(part) if part.isdigit() else part for part in _NATURAL.split(path.stem)]
