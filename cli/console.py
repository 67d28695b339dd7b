"""Shared console helpers: rich output on stderr, JSON on stdout, one way to fail."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, NoReturn

import orjson
import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

err_console = Console(stderr=True)


def print_json(payload: Any) -> None:
    """Write one JSON document to stdout (UTF-8, indented)."""
    sys.stdout.buffer.write(orjson.dumps(payload, option=orjson.OPT_INDENT_2 | orjson.OPT_NON_STR_KEYS) + b"\n")
    sys.stdout.flush()


def fail(message: str, *, code: int = 1) -> NoReturn:
    """Print ``error: message`` on stderr and exit non-zero."""
    err_console.print(f"[bold red]error:[/] {message}", highlight=False, soft_wrap=True)
    raise typer.Exit(code)


@contextmanager
def stage_progress(*, enabled: bool) -> Iterator[Callable[[str, float], None]]:
    """A progress bar driven by (stage description, fraction done) callbacks."""
    if not enabled:
        yield lambda _stage, _fraction: None
        return
    with Progress(
        SpinnerColumn(),
        TextColumn("{task.description:<44}"),
        BarColumn(),
        TextColumn("{task.percentage:>3.0f}%"),
        TimeElapsedColumn(),
        console=err_console,
        transient=False,
    ) as progress:
        task = progress.add_task("starting", total=1.0)

        def update(stage: str, fraction: float) -> None:
            progress.update(task, description=stage, completed=fraction)

        yield update
