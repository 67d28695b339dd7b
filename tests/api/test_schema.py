"""schemathesis against the served OpenAPI document: every operation, no 5xx, every response as documented.

Each operation gets up to ``EXAMPLES`` generated requests (about 1,200 in all), with a bearer token so the
owner-only operations answer for real; ``HERITAGE_SCHEMA_EXAMPLES`` raises or lowers the count.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
import schemathesis
from fastapi import FastAPI
from fastapi.testclient import TestClient

from api.app import create_app
from recommender.city import City
from tests.api.conftest import local_settings
from tests.api.generated_requests import check_generated_requests

pytestmark = pytest.mark.slow
EXAMPLES = int(os.environ.get("HERITAGE_SCHEMA_EXAMPLES", "70"))
REQUESTS: list[str] = []
SEMANTIC = [schemathesis.checks.positive_data_acceptance]
"""Schema-valid requests may still be refused (a point outside the city, an unknown place, a plan that cannot fit the
window): that check is left out; the rest (no 5xx, status codes, content types, headers, bodies) all run."""


@pytest.fixture(scope="module")
def served_app(city: City, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[FastAPI, str]]:
    """The app after start-up (city, router, database in app.state), and a valid access token."""
    app = create_app(
        city=city,
        settings=local_settings(
            tmp_path_factory.mktemp("schema"),
            rate_limit_ip_per_min=1_000_000,
            rate_limit_token_per_min=1_000_000,
            log_json=True,
        ),
    )
    with TestClient(app) as client:
        token = client.post("/v1/auth/device", json={}).json()["access_token"]
        yield app, token


def test_every_operation_answers_as_documented(served_app: tuple[FastAPI, str]) -> None:
    app, token = served_app
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    failures: dict[str, str] = {}
    for operation in operations:
        try:
            check_generated_requests(
                operation,
                examples=EXAMPLES,
                headers={"Authorization": f"Bearer {token}"},
                excluded_checks=SEMANTIC,
                seen=REQUESTS.append,
            )
        except Exception as exc:
            failures[operation.label] = f"{type(exc).__name__}: {exc}"[:2000]
    assert not failures, "\n\n".join(f"{label}: {message}" for label, message in failures.items())
    assert len(set(REQUESTS)) == len(operations) >= 19
    assert len(REQUESTS) >= (1_000 if EXAMPLES >= 70 else 0), f"only {len(REQUESTS)} generated requests"
