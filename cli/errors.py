"""Map domain errors to one line on stderr and a non-zero exit code."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from cli.console import fail
from recommender.errors import RecommenderError
from routing import RoutingError

EXIT_BAD_INPUT = 1


@contextmanager
def domain_errors() -> Iterator[None]:
    """Turn RoutingError / RecommenderError into ``error: ...`` and exit status 1."""
    try:
        yield
    except (RoutingError, RecommenderError) as exc:
        fail(str(exc), code=EXIT_BAD_INPUT)
