"""Benchmark the itinerary planner's orienteering solver on the standard OPTW / TTDP instances.

Baseline, in the same run: the best-known single-route scores (``best_known_m1.csv``), against which each record
carries ``gap_pct``; the reference heuristic (Vansteenwegen et al. 2009's iterated local search) reports a 1.8 % mean
gap in about 1 s. Every route is re-checked by the independent feasibility checker.

Usage: ``python -m bench.optw --instances DIR [--time-limit S] [--seed N] [--iterations N] [--best-known CSV]
[--only c101,pr01] [--json]``. With ``--json``: one JSON object per instance, then a summary object
(``"summary": true``); without it a readable table. The best-known file defaults to ``best_known_m1.csv`` beside the
instances directory.

With ``--baseline REF`` the same instances, seed and limits are also run by the solver of commit ``REF`` (a temporary
git worktree, :func:`bench.measure.baseline_run`), and a last object compares them: instances with the same score,
the mean score difference, and the ratios of iterations and of time (with ``--iterations`` and a generous
``--time-limit`` both searches take the same steps, so equal scores mean an unchanged search and the time ratio is
the cost per step).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from bench.measure import baseline_run
from recommender.planner.benchmark import run_optw_benchmark


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.optw", description=__doc__.splitlines()[0])
    parser.add_argument("--instances", type=Path, required=True, help="directory of instance files (*.txt)")
    parser.add_argument("--time-limit", type=float, default=1.0, help="seconds per instance (default 1.0)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--iterations", type=int, default=None, help="also stop after N iterations (reproducible)")
    parser.add_argument("--best-known", type=Path, default=None, help="CSV with instance,bks columns")
    parser.add_argument("--only", default=None, help="comma-separated instance names to run")
    parser.add_argument("--json", action="store_true", help="one JSON object per line")
    parser.add_argument("--baseline", default=None, help="also run the solver of this git commit and compare")
    args = parser.parse_args(argv)
    best_known = args.best_known
    if best_known is None and (args.instances.parent / "best_known_m1.csv").is_file():
        best_known = args.instances.parent / "best_known_m1.csv"
    records = run_optw_benchmark(
        args.instances,
        time_limit_s=args.time_limit,
        seed=args.seed,
        best_known_csv=best_known,
        names=args.only.split(",") if args.only else None,
        max_iterations=args.iterations,
    )
    done: list[dict[str, object]] = []
    for record in records:
        done.append(record)
        if args.json:
            print(json.dumps(record, separators=(",", ":")), flush=True)
        elif record.get("summary"):
            _print_summary(record)
        else:
            _print_row(record)
    if args.baseline:
        comparison = _compare(done, args, best_known)
        print(json.dumps(comparison, separators=(",", ":")) if args.json else comparison, flush=True)
    return 0


def _total(rows: dict[str, dict[str, object]], names: list[str], key: str) -> float:
    return sum(float(str(rows[name][key])) for name in names)


def _compare(records: list[dict[str, object]], args: argparse.Namespace, best_known: Path | None) -> dict[str, object]:
    """Run the baseline commit's benchmark with the same arguments and compare scores and iterations."""
    options = ["--instances", str(args.instances.resolve()), "--time-limit", str(args.time_limit)]
    options += ["--seed", str(args.seed), "--json"]
    if args.iterations is not None:
        options += ["--iterations", str(args.iterations)]
    if best_known is not None:
        options += ["--best-known", str(best_known.resolve())]
    if args.only:
        options += ["--only", args.only]
    commit, _tree, measured = baseline_run(args.baseline, ["-P", "-m", "bench.optw", *options])
    old = {
        row["instance"]: row
        for row in (json.loads(line) for line in measured.stdout.splitlines() if line.startswith("{"))
        if not row.get("summary")
    }
    new = {str(row["instance"]): row for row in records if not row.get("summary")}
    shared = sorted(set(old) & set(new))
    differences = [float(new[name]["score"]) - float(old[name]["score"]) for name in shared]  # type: ignore[arg-type]
    iterations_new = sum(int(new[name]["iterations"]) for name in shared)  # type: ignore[call-overload]
    iterations_old = sum(int(old[name]["iterations"]) for name in shared)
    return {
        "baseline": commit,
        "instances": len(shared),
        "same_score": sum(difference == 0 for difference in differences),
        "higher": sum(difference > 0 for difference in differences),
        "lower": sum(difference < 0 for difference in differences),
        "mean_score_difference": round(sum(differences) / len(shared), 3) if shared else None,
        "iterations_ratio": round(iterations_new / iterations_old, 3) if iterations_old else None,
        "time_ratio": round(_total(new, shared, "time_s") / max(_total(old, shared, "time_s"), 1e-9), 3),
    }


def _print_row(record: dict[str, object]) -> None:
    known = f"{record['best_known']:>6} {record['gap_pct']:>7.2f}%" if "best_known" in record else " " * 15
    feasible = "ok" if record["feasible"] else "INFEASIBLE"
    print(
        f"{record['instance']:<8} m={record['m']} score {record['score']:>6} {known} "
        f"{record['time_s']:>6.2f}s {record['iterations']:>7} it  {feasible}",
        flush=True,
    )


def _print_summary(record: dict[str, object]) -> None:
    print(
        f"\n{record['with_best_known']} with a best-known score: mean gap {record['mean_gap_pct']}% "
        f"(signed {record['mean_gap_signed_pct']}%), at best-known {record['at_best_known']} "
        f"({record['share_at_best_known']}), above it: {record['above_best_known']}"
    )
    print(
        f"{record['instances']} instances: max time {record['max_time_s']} s, mean {record['mean_time_s']} s, "
        f"all feasible: {record['all_feasible']}, kernel warm-up {record['warmup_s']} s"
    )
    sets = record["sets"]
    assert isinstance(sets, dict)
    for name, summary in sets.items():
        print(f"  {name:<8} {summary}")


if __name__ == "__main__":
    sys.exit(main())
