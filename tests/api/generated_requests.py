"""schemathesis cases for one API operation, sent with the credentials a test holds: shared by the schema and fuzz
suites, which differ only in the data they generate, the checks they leave out and what they count."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode


def check_generated_requests(
    operation: schemathesis.APIOperation,
    *,
    examples: int,
    headers: dict[str, str],
    excluded_checks: Sequence[schemathesis.CheckFunction],
    seen: Callable[[str], object],
    mode: GenerationMode = GenerationMode.POSITIVE,
) -> None:
    """Send up to `examples` generated requests (reproducible: derandomized, no example database) and check each answer.

    Every request carries `headers` where the generated case has none of that name; `seen` gets the operation's label
    once per request. Raises what the first failing check raises (hypothesis' own errors included).
    """

    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(
        max_examples=examples,
        deadline=None,
        suppress_health_check=list(HealthCheck),
        derandomize=True,
        database=None,
    )
    def check(case: schemathesis.Case) -> None:
        sent = dict(case.headers or {})
        for name, value in headers.items():
            sent.setdefault(name, value)
        seen(case.operation.label)
        case.call_and_validate(headers=sent, excluded_checks=list(excluded_checks))

    check()
