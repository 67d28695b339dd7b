"""Issue 14's abuse tests on the code before the fixes and after: which finding's tests failed before and pass now.

Each revision is checked out in a temporary ``git worktree``; the tests (and their conftests and harness) of the
``--after`` revision are copied into both, run there with this checkout's interpreter on the real PostgreSQL and
Redis, and read back from pytest's JUnit XML. A test is mapped to its finding by the section it sits in
(``# --- 4. ...`` or ``# --- finding 4: ...``) or by its file. Prints one line per finding, then, with ``--json``,
every test's outcome on both sides. Nothing of this checkout is changed (bundles are read from ``--bundle-dir``,
and a revision that needs another bundle builds it in a temporary copy).

    .venv/bin/python -m bench.abuse_before_after --before ac45a3e~1 --after HEAD
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TESTS: dict[str, int | None] = {
    "tests/api/test_abuse.py": None,  # None: by section
    "tests/api/test_abuse_input.py": None,
    "tests/api/test_cost_budget.py": 5,
    "tests/e2e/test_dockerfile.py": 1,
    "tests/api/test_faults.py::test_with_postgresql_hung_health_answers_degraded_and_writes_fail_with_503": 4,
}
"""The tests run, and the finding of a file whose tests all belong to one."""
SUPPORT = (
    "tests/__init__.py",
    "tests/conftest.py",
    "tests/api/__init__.py",
    "tests/api/conftest.py",
    "bench/db_hang.py",
)
"""Copied with the tests: fixtures, and the throw-away-cluster harness the hung-PostgreSQL test uses."""
SECTION = re.compile(r"^# --- (?:finding )?(\d)\b")
CANNOT_RUN = ("ImportError", "ModuleNotFoundError", "cannot import name")


@dataclass(frozen=True)
class Outcome:
    """One test's result on one revision: passed, failed, hung, cannot-run (its code is missing there), skipped."""

    status: str
    message: str = ""


def findings_of(root: Path) -> dict[str, int]:
    """Test function name (file::name) -> finding number, from the sections or the file's single finding."""
    found: dict[str, int] = {}
    for target, finding in TESTS.items():
        path, _, only = target.partition("::")
        current = finding
        for line in (root / path).read_text().splitlines():
            section = SECTION.match(line)
            if section and finding is None:
                current = int(section.group(1))
            name = re.match(r"^(?:async )?def (test_\w+)", line)
            if name and current is not None and (not only or name.group(1) == only):
                found[f"{path}::{name.group(1)}"] = current
    return found


@contextmanager
def worktree(revision: str) -> Iterator[Path]:
    """A detached worktree of ``revision`` in a temporary directory, removed afterwards."""
    path = Path(tempfile.mkdtemp(prefix="heritage-before-after-")) / "tree"
    add = ["git", "-C", str(ROOT), "worktree", "add", "--quiet", "--detach", str(path), revision]
    subprocess.run(add, check=True)
    try:
        yield path
    finally:
        subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", str(path)], check=False)
        shutil.rmtree(path.parent, ignore_errors=True)


def copy_tests(source: Path, target: Path) -> None:
    """The tests and their support files of ``source`` into ``target`` (replacing the revision's own)."""
    for relative in {target.partition("::")[0] for target in TESTS} | set(SUPPORT):
        origin = source / relative
        if origin.exists():
            (target / relative).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(origin, target / relative)


def furnish(tree: Path, bundle_dir: Path) -> None:
    """What a checkout has beside its tracked files: ``bundles`` and a ``.venv`` (this one's, linked), whose
    ``heritage`` runs the tree's code: the Dockerfile test runs it with the image's environment only."""
    (tree / "bundles").symlink_to(bundle_dir, target_is_directory=True)
    venv, bin_dir = Path(sys.prefix), Path(sys.executable).parent
    (tree / ".venv" / "bin").mkdir(parents=True)
    for entry in venv.iterdir():
        if entry.name != "bin":
            (tree / ".venv" / entry.name).symlink_to(entry)
    for entry in bin_dir.iterdir():
        if entry.name != "heritage":
            (tree / ".venv" / "bin" / entry.name).symlink_to(entry)
    heritage = tree / ".venv" / "bin" / "heritage"
    heritage.write_text(
        f"#!/bin/sh\nPYTHONPATH={tree} exec {sys.executable} -c "
        '\'import sys; from cli.main import app; sys.argv[0] = "heritage"; sys.exit(app())\' "$@"\n'
    )
    heritage.chmod(0o755)


def run_tests(tree: Path, bundle_dir: Path, timeout_s: float) -> dict[str, Outcome]:
    """Run the tests in ``tree`` with this interpreter, one pytest per target; outcomes by ``file::function``.

    A target still running after ``timeout_s`` (on the old code a write to a stopped PostgreSQL blocks for good,
    and an image that starts with a weak secret serves instead of exiting) is interrupted with SIGINT, so its
    fixtures clean up (a cluster it left stopped is resumed and stopped); its tests that did not finish are ``hung``.
    """
    furnish(tree, bundle_dir)
    # PYTHONPATH: the tree's code before the checkout's (editable install); PATH: this venv's ``heritage``, which
    # the Dockerfile test runs (with PYTHONPATH, on the tree's code too).
    path = f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"
    env = {**os.environ, "HERITAGE_BUNDLE_DIR": str(bundle_dir), "PYTHONPATH": str(tree), "PATH": path}
    outcomes: dict[str, Outcome] = {}
    for index, target in enumerate(TESTS):
        report = tree / f"junit-{index}.xml"
        command = [sys.executable, "-m", "pytest", target, "-q", "-p", "no:cacheprovider", f"--junitxml={report}"]
        existing = clusters()
        process = subprocess.Popen(command, cwd=tree, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        hung = False
        try:
            process.wait(timeout=timeout_s)
        except subprocess.TimeoutExpired:
            hung = True
            process.send_signal(signal.SIGINT)
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:  # blocked on a stopped cluster: resume and stop it, then wait
                stop_stray_clusters(existing)
                try:
                    process.wait(timeout=120)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()
        found = read_report(report) if report.exists() else {}
        outcomes.update(found)
        if hung:
            path_part, _, only = target.partition("::")
            for name in tests_in(tree / path_part):
                key = f"{path_part}::{name}"
                if (not only or name == only) and (key not in found or found[key].status == "skipped"):
                    outcomes[key] = Outcome("hung", f"did not finish within {timeout_s:g} s")
    return outcomes


def clusters() -> set[Path]:
    """The data directories of the private PostgreSQL clusters the fault tests start (``heritage-pg-*``)."""
    return set(Path(tempfile.gettempdir()).glob("heritage-pg-*/data"))


def stop_stray_clusters(before: set[Path]) -> None:
    """Resume and stop the clusters an interrupted hung test left stopped: new since ``before`` and in state T."""
    from bench.db_hang import PG_BIN, cluster_signal

    for data in clusters() - before:
        pid_file = data / "postmaster.pid"
        try:
            postmaster = int(pid_file.read_text().split()[0])
            state = Path(f"/proc/{postmaster}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except (OSError, ValueError, IndexError):
            continue
        if state != "T":
            continue
        cluster_signal(data, signal.SIGCONT)
        prefix = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        stop = [*prefix, str(PG_BIN / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"]
        subprocess.run(stop, check=False, capture_output=True)
        shutil.rmtree(data.parent, ignore_errors=True)


def tests_in(path: Path) -> list[str]:
    """The test functions a file defines."""
    return re.findall(r"^(?:async )?def (test_\w+)", path.read_text(), flags=re.MULTILINE)


def read_report(report: Path) -> dict[str, Outcome]:
    """Each test function's worst outcome over its cases (parameters, backends) in a JUnit XML report."""
    rank = ["passed", "skipped", "failed", "cannot-run"]
    outcomes: dict[str, Outcome] = {}
    for case in ET.parse(report).getroot().iter("testcase"):
        module = case.get("classname", "").replace(".", "/") + ".py"
        key = f"{module}::{case.get('name', '').split('[')[0]}"
        failure = case.find("failure")
        if failure is None:
            failure = case.find("error")
        if failure is not None:
            text = f"{failure.get('message', '')} {failure.text or ''}"
            status = "cannot-run" if any(word in text for word in CANNOT_RUN) else "failed"
            outcome = Outcome(status, (failure.get("message") or "").splitlines()[0][:160] if text.strip() else "")
        elif case.find("skipped") is not None:
            outcome = Outcome("skipped")
        else:
            outcome = Outcome("passed")
        kept = outcomes.get(key)
        if kept is None or rank.index(outcome.status) > rank.index(kept.status):
            outcomes[key] = outcome
    return outcomes


def seeded_bundles(source: Path) -> Path:
    """A temporary copy of ``source`` (the built bundles), so a revision that builds another leaves ours alone."""
    target = Path(tempfile.mkdtemp(prefix="heritage-bundles-")) / "bundles"
    shutil.copytree(source, target, symlinks=True)
    return target


def main() -> None:
    """Run both sides and print the table (and every test with ``--json``)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--before", default="ac45a3e~1", help="revision before the fixes (default ac45a3e~1)")
    parser.add_argument("--after", default="HEAD", help="revision with the fixes and the tests (default HEAD)")
    parser.add_argument("--bundle-dir", type=Path, default=ROOT / "bundles", help="built bundles to start from")
    parser.add_argument("--timeout-s", type=float, default=240, help="longest pytest run per test file (240)")
    parser.add_argument("--json", action="store_true", help="print every test's outcomes as JSON too")
    args = parser.parse_args()
    bundles = seeded_bundles(args.bundle_dir)
    try:
        with worktree(args.after) as after, worktree(args.before) as before:
            copy_tests(after, before)
            findings = findings_of(after)
            results = {
                "after": run_tests(after, bundles, args.timeout_s),
                "before": run_tests(before, bundles, args.timeout_s),
            }
    finally:
        shutil.rmtree(bundles.parent, ignore_errors=True)
    print(f"before = {args.before}, after = {args.after}; tests of {args.after} on both")
    print("| finding | tests | pass after | failed before | hung before | cannot run before | passed before too |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    absent = Outcome("absent")
    for finding in sorted(set(findings.values())):
        names = [name for name, number in findings.items() if number == finding]
        after_ok = sum(results["after"].get(name, absent).status == "passed" for name in names)
        was = [results["before"].get(name, absent).status for name in names]
        print(
            f"| {finding} | {len(names)} | {after_ok} | {was.count('failed')} | {was.count('hung')} | "
            f"{was.count('cannot-run') + was.count('absent')} | {was.count('passed')} |"
        )
    if args.json:
        rows = {
            name: {
                "finding": number,
                "before": vars(results["before"].get(name, absent)),
                "after": vars(results["after"].get(name, absent)),
            }
            for name, number in sorted(findings.items(), key=lambda item: (item[1], item[0]))
        }
        print(json.dumps(rows, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
