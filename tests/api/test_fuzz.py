"""schemathesis over every ``/v1`` operation on PostgreSQL + Redis, signed in (issue 14): positive and negative data.

Each operation gets ``HERITAGE_FUZZ_EXAMPLES`` generated requests of schema-valid data and as many of data the schema
forbids (default 30 each: about 1,200 cases over the 25 operations in ``make test``; ``make fuzz`` runs more), sent with
the bearer token of a registered account and an operator key. Checks: no 5xx (``not_a_server_error``), every answer
as the document says (``response_schema_conformance`` and the other default checks), and every request the schema
forbids refused (``negative_data_rejection``). Schema-valid requests may still be refused (a point outside the city,
an unknown place, a plan that does not fit the window), so ``positive_data_acceptance`` is left out.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
import schemathesis
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode

from api.app import create_app
from api.settings import Settings
from api.store import repositories
from recommender.city import City
from tests.api.conftest import fresh_postgres_database
from tests.api.generated_requests import check_generated_requests

pytestmark = [pytest.mark.slow, pytest.mark.postgres, pytest.mark.redis]
EXAMPLES = int(os.environ.get("HERITAGE_FUZZ_EXAMPLES", "30"))
EXCLUDED = [schemathesis.checks.positive_data_acceptance]
MODES = (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)


@dataclass(frozen=True)
class Served:
    """The app after start-up and the credentials every generated request carries."""

    app: FastAPI
    headers: dict[str, str]


@pytest.fixture
def served(city: City, postgres_server: str, redis_url: str, redis_prefix: str) -> Iterator[Served]:
    """The app on a fresh PostgreSQL database and Redis (a prefix of its own), with a registered account and a key."""
    with fresh_postgres_database(postgres_server) as database_url:
        app = create_app(
            city=city,
            settings=Settings(
                database_url=database_url,
                redis_url=redis_url,
                redis_prefix=redis_prefix,
                rate_limit_ip_per_min=1_000_000,
                rate_limit_token_per_min=1_000_000,
                log_json=True,
            ),
        )
        with TestClient(app) as client:
            device = client.post("/v1/auth/device", json={"device_name": "fuzz"}).json()["access_token"]
            account = {"email": "fuzz@example.org", "password": "correct horse battery"}
            registered = client.post("/v1/auth/register", json=account, headers={"Authorization": f"Bearer {device}"})
            assert registered.status_code in {200, 201}, registered.text
            with app.state.sessions() as session:
                _, key = repositories.create_api_key(session, name="fuzz", scopes=("operator",))
            headers = {"Authorization": f"Bearer {registered.json()['access_token']}", "X-API-Key": key}
            yield Served(app, headers)


def test_every_v1_operation_survives_fuzzing_signed_in(served: Served) -> None:
    schema = schemathesis.openapi.from_asgi("/openapi.json", served.app)
    operations = [result.ok() for result in schema.get_all_operations()]
    operations = [operation for operation in operations if operation.path.startswith("/v1")]
    cases: Counter[str] = Counter()
    failures: dict[str, str] = {}
    no_negative: list[str] = []
    for operation in operations:
        for mode in MODES:
            try:
                check_generated_requests(
                    operation,
                    examples=EXAMPLES,
                    headers=served.headers,
                    excluded_checks=EXCLUDED,
                    seen=lambda label: cases.update((label,)),
                    mode=mode,
                )
            except Unsatisfiable:
                if mode is GenerationMode.POSITIVE:
                    raise
                no_negative.append(operation.label)  # no parameters and no body: nothing to break
            except (Exception, BaseExceptionGroup) as exc:
                failures[f"{operation.label} [{mode.value}]"] = f"{type(exc).__name__}: {exc}"[:3000]
    assert not failures, "\n\n".join(f"{label}: {message}" for label, message in failures.items())
    assert set(cases) == {operation.label for operation in operations}
    assert len(operations) >= 20
    assert len(no_negative) <= 3, no_negative
    total = sum(cases.values())
    assert total >= (1_000 if EXAMPLES >= 30 else 0), f"only {total} generated requests"
