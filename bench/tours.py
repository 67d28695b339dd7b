"""Benchmark tour recommendation on the cikm16 Flickr trajectories (leave-one-out, Chen, Ong & Xie, CIKM 2016).

Baseline, in the same run: PoiPopularity, which must reproduce its published figures (the harness check); each
city's record also carries the best published F1 and pairs-F1 for comparison. The protocol is
``../shared/benchmarks/tours/PROTOCOL.md``.

Usage: ``python -m bench.tours --data DIR [--city Toro|all] [--predictions FILE.jsonl] [--l2 X] [--sub-tours N]
[--neighbourhoods K] [--json]``. With ``--json``: one JSON object per city (``city``, ``queries``, ``f1``,
``pairs_f1``, ``f1_inner``, ``time_s``, standard deviations, ``all_trajectories``, ``baseline``, ``published``,
``beats_published``), then, for several cities, a summary object (``"summary": true``); without it a readable
table. ``--data`` defaults to ``../shared/benchmarks/tours/cikm16`` beside the repository.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from recommender.errors import RecommenderError
from recommender.tours.benchmark import (
    check_predictions_path,
    cities_to_run,
    run_tours_benchmark,
    summary_record,
    write_predictions,
)
from recommender.tours.features import NEIGHBOURHOODS

DEFAULT_DATA = Path(__file__).resolve().parents[1] / ".." / "shared" / "benchmarks" / "tours" / "cikm16"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.tours", description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="folder of poi-*.csv and traj-*.csv")
    parser.add_argument(
        "--city", default="all", help="codes X of poi-X.csv/traj-X.csv (or full names), comma-separated, or all"
    )
    parser.add_argument("--predictions", type=Path, default=None, help="write one JSON line per query here")
    parser.add_argument("--l2", type=float, default=1.0, help="L2 penalty of the step model (default 1.0)")
    parser.add_argument("--sub-tours", type=int, default=0, help="also train on stretches of 3..N POIs (default 0)")
    parser.add_argument(
        "--neighbourhoods", type=int, default=NEIGHBOURHOODS, help="k-means neighbourhoods of POIs, 0: none (default 5)"
    )
    parser.add_argument("--json", action="store_true", help="one JSON object per line")
    args = parser.parse_args(argv)
    try:
        cities = cities_to_run(args.data, args.city)
        if args.predictions is not None:
            check_predictions_path(args.predictions)
        predictions: list[dict[str, object]] | None = [] if args.predictions is not None else None
        records = []
        for record in run_tours_benchmark(
            args.data,
            cities,
            l2=args.l2,
            sub_tours=args.sub_tours,
            neighbourhoods=args.neighbourhoods,
            predictions=predictions,
        ):
            records.append(record)
            print(json.dumps(record, separators=(",", ":")) if args.json else _row(record), flush=True)
        if len(records) > 1:
            summary = summary_record(records)
            print(json.dumps(summary, separators=(",", ":")) if args.json else _summary(summary), flush=True)
        if args.predictions is not None and predictions is not None:
            write_predictions(args.predictions, predictions)
    except RecommenderError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


def _row(record: dict[str, object]) -> str:
    base = record["baseline"]
    published = record["published"]
    assert isinstance(base, dict)
    pop = base["published_subset"]
    best_f1 = f"{published['best_f1']['f1']:.3f}" if isinstance(published, dict) else "none"
    best_pairs = f"{published['best_pairs_f1']['pairs_f1']:.3f}" if isinstance(published, dict) else "none"
    return (
        f"{record['city_name']:<10} {record['queries']:>4} queries  "
        f"F1 {record['f1']:.3f}±{record['f1_std']:.3f} (best published {best_f1})  "
        f"pairs-F1 {record['pairs_f1']:.3f}±{record['pairs_f1_std']:.3f} "
        f"(best published {best_pairs})  "
        f"inner F1 {record['f1_inner']:.3f}±{record['f1_inner_std']:.3f}  "
        f"PoiPopularity {pop['f1']:.3f}/{pop['pairs_f1']:.3f}  {record['time_s']:.1f} s"
    )


def _summary(summary: dict[str, object]) -> str:
    return (
        f"\nboth published figures beaten in {summary['beats_published_f1_and_pairs_f1']}; "
        f"PoiPopularity reproduced: {summary['baseline_reproduces_published']}; total {summary['total_time_s']} s"
    )


if __name__ == "__main__":
    sys.exit(main())
