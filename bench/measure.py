"""Run a command in a child process and measure its wall time and peak resident memory; run an earlier commit.

:func:`baseline_run` runs a module of an earlier commit of this repository (a temporary ``git worktree``, its own
bundle cached under ``bundles/baseline-<commit>/``), so a benchmark compares against it in the same run.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Measurement:
    """Wall-clock seconds, the child's own peak RSS in MiB, and its stdout."""

    wall_s: float
    peak_rss_mib: float
    stdout: str


def run_measured(args: list[str], *, env: dict[str, str] | None = None) -> Measurement:
    """Run ``python args...`` from the repository root; raise with its stderr if it fails.

    The peak RSS comes from ``wait4`` on this very child, so runs measured one after another do not
    contaminate each other (``RUSAGE_CHILDREN`` would report the maximum over all children).
    """
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        process = subprocess.Popen(
            [sys.executable, *args], cwd=ROOT, env={**os.environ, **(env or {})}, stdout=out, stderr=err
        )
        _, status, usage = os.wait4(process.pid, 0)
        wall_s = time.perf_counter() - start
        process.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read().decode(), err.read().decode()
    if process.returncode != 0:
        raise RuntimeError(f"{' '.join(args)} failed ({process.returncode}):\n{stderr}")
    return Measurement(wall_s, usage.ru_maxrss / 1024.0, stdout)


def git(*args: str) -> str:
    """The output of ``git args...`` in this repository."""
    return subprocess.run(["git", *args], cwd=ROOT, check=True, capture_output=True, text=True).stdout.strip()


def baseline_run(ref: str, args: list[str]) -> tuple[str, Path, Measurement]:
    """Run ``python args...`` on the code of commit ``ref``: (short commit, the worktree it ran in, measurement).

    ``args`` may name ``{tree}`` for the worktree's path. The child imports that commit's packages (``PYTHONPATH``)
    and builds or reuses its own bundle under ``bundles/baseline-<commit>/``; the worktree is removed afterwards.
    """
    commit = git("rev-parse", "--short", f"{ref}^{{commit}}")
    tree = Path(tempfile.mkdtemp(prefix=f"baseline-{commit}-"))
    git("worktree", "add", "--detach", str(tree), commit)
    try:
        measured = run_measured(
            [arg.replace("{tree}", str(tree)) for arg in args],
            env={"PYTHONPATH": str(tree), "HERITAGE_BUNDLE_DIR": str(ROOT / "bundles" / f"baseline-{commit}")},
        )
    finally:
        git("worktree", "remove", "--force", str(tree))
    return commit, tree, measured


def percentiles_ms(values_ms: list[float], *, digits: int = 4) -> dict[str, float]:
    """p50, p95, mean, max (milliseconds) and the count of a list of timings; zeros for an empty list."""
    import numpy as np

    if not values_ms:
        return {"p50_ms": 0.0, "p95_ms": 0.0, "mean_ms": 0.0, "max_ms": 0.0, "count": 0}
    array = np.asarray(values_ms, dtype=np.float64)
    return {
        "p50_ms": round(float(np.percentile(array, 50)), digits),
        "p95_ms": round(float(np.percentile(array, 95)), digits),
        "mean_ms": round(float(array.mean()), digits),
        "max_ms": round(float(array.max()), digits),
        "count": len(values_ms),
    }


def bundle_argument(parser: Any) -> None:
    """Add the ``--bundle`` option every routing benchmark takes."""
    parser.add_argument("--bundle", type=Path, default=None, help="bundle directory (default: the current build)")
    parser.add_argument("--json", action="store_true", help="print JSON (the only output format)")


def open_bundle(path: Path | None) -> Any:
    """Load ``path``, or the bundle built from the current inputs when None."""
    from api.city import default_bundle_path
    from routing.bundle.load import load_bundle

    return load_bundle(path or default_bundle_path())


def routing_arguments(doc: str | None, *options: tuple[str, dict[str, Any]]) -> Any:
    """The command line of a routing benchmark: ``--bundle``, ``--json``, ``--seed`` and its own ``options``."""
    import argparse

    parser = argparse.ArgumentParser(description=doc.splitlines()[0] if doc else None)
    bundle_argument(parser)
    parser.add_argument("--seed", type=int, default=0)
    for name, settings in options:
        parser.add_argument(name, **settings)
    return parser.parse_args()


def print_report(report: Any) -> None:
    """A benchmark's JSON on stdout, indented, non-ASCII names as they are."""
    import json

    print(json.dumps(report, ensure_ascii=False, indent=2))


def saved_and_loaded(save: Any, load: Any, name: str) -> tuple[Any, int, float]:
    """Write with ``save(path)`` into a temporary folder and read back with ``load(path)``: (loaded, bytes, seconds)."""
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / name
        save(path)
        size = path.stat().st_size
        started = time.perf_counter()
        loaded = load(path)
        return loaded, size, time.perf_counter() - started
