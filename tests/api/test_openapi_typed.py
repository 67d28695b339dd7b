"""The OpenAPI document types every 2xx answer of /v1 (issue 13): a client generator gets a model for each field.

The walker follows every schema reachable from a 2xx response of a ``/v1`` path (through ``$ref``, properties, items,
``anyOf`` / ``oneOf`` / ``allOf`` and typed maps) and fails on any value left untyped: an empty schema (``{}``,
"anything"), ``additionalProperties: true`` or ``{}``, or an ``object`` with neither properties nor a typed map.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.errors.registry import PROBLEM_TYPES
from api.schemas import BusRoute, IsochroneResponse, PlanResponse, RouteResponse
from recommender.city import City
from tests.api.conftest import local_settings

Schema = dict[str, Any]
COMBINATORS = ("anyOf", "oneOf", "allOf")
PENDING: dict[str, str] = {}
"""Paths still carrying an untyped answer, with why (none)."""


def _resolve(document: Schema, schema: Schema) -> tuple[str | None, Schema]:
    ref = schema.get("$ref")
    if not isinstance(ref, str):
        return None, schema
    name = ref.rsplit("/", 1)[-1]
    return name, document["components"]["schemas"][name]


def untyped(document: Schema, schema: Any, where: str, seen: set[str] | None = None) -> Iterator[str]:
    """Where (a dotted path) the schema, or a schema inside it, leaves a value untyped."""
    seen = set() if seen is None else seen
    if schema is True or schema == {}:
        yield f"{where}: any value"
        return
    if not isinstance(schema, dict):
        yield f"{where}: not a schema ({schema!r})"
        return
    name, schema = _resolve(document, schema)
    if name is not None:
        if name in seen:
            return
        seen.add(name)
        where = f"{where}<{name}>"
    combined = [part for key in COMBINATORS for part in schema.get(key, [])]
    for index, part in enumerate(combined):
        yield from untyped(document, part, f"{where}|{index}", seen)
    extra = schema.get("additionalProperties")
    if extra is True or extra == {}:
        yield f"{where}: additionalProperties {extra!r}"
    elif isinstance(extra, dict):
        yield from untyped(document, extra, f"{where}{{}}", seen)
    properties = schema.get("properties", {})
    for key, value in properties.items():
        yield from untyped(document, value, f"{where}.{key}", seen)
    kind = schema.get("type")
    if kind == "object" and not properties and not isinstance(extra, dict) and extra is not False:
        yield f"{where}: an object without properties"
    if kind == "array" or "items" in schema or "prefixItems" in schema:
        for index, item in enumerate(schema.get("prefixItems", [])):
            yield from untyped(document, item, f"{where}[{index}]", seen)
        if "items" in schema:
            yield from untyped(document, schema["items"], f"{where}[]", seen)
        elif "prefixItems" not in schema:
            yield f"{where}: an array of anything"
    typed = kind is not None or combined or properties or "enum" in schema or "const" in schema
    if not typed and name is None:
        yield f"{where}: no type"


def answers(document: Schema) -> Iterator[tuple[str, str, str, Schema | None]]:
    """(path, method, status, schema) of every 2xx answer with a body of a /v1 path."""
    for path, operations in document["paths"].items():
        if not path.startswith("/v1"):
            continue
        for method, operation in operations.items():
            for status, response in operation.get("responses", {}).items():
                if not status.startswith("2"):
                    continue
                for media, content in response.get("content", {}).items():
                    if media in {"application/zip", "text/plain"}:
                        continue  # a file, not JSON
                    yield path, method, f"{status} {media}", content.get("schema")


@pytest.fixture(scope="module")
def document(tmp_path_factory: pytest.TempPathFactory, city: City) -> Schema:
    settings = local_settings(tmp_path_factory.mktemp("openapi"))
    return create_app(city=city, settings=settings).openapi()


def test_every_2xx_answer_of_v1_is_typed(document: Schema) -> None:
    found = list(answers(document))
    assert len(found) > 15
    problems = []
    for path, method, status, schema in found:
        if path in PENDING:
            continue
        if schema is None:
            problems.append(f"{method.upper()} {path} {status}: no schema")
            continue
        problems += [f"{method.upper()} {path} {status}: {p}" for p in untyped(document, schema, "")]
    assert problems == []


def test_the_walker_finds_untyped_values() -> None:
    document: Schema = {
        "components": {
            "schemas": {
                "Loose": {"type": "object", "properties": {"a": {}, "b": {"type": "object"}}},
                "Map": {"type": "object", "additionalProperties": True},
                "Typed": {
                    "type": "object",
                    "properties": {"n": {"type": "array", "items": {"type": "array", "items": {"type": "number"}}}},
                    "additionalProperties": {"type": "number"},
                },
            }
        }
    }
    found = list(untyped(document, {"$ref": "#/components/schemas/Loose"}, ""))
    assert found == ["<Loose>.a: any value", "<Loose>.b: an object without properties"]
    assert list(untyped(document, {"$ref": "#/components/schemas/Map"}, "")) == [
        "<Map>: additionalProperties True",
        "<Map>: an object without properties",
    ]
    assert list(untyped(document, {"$ref": "#/components/schemas/Typed"}, "")) == []


def test_every_error_status_is_declared_with_the_problem_model(document: Schema) -> None:
    """The plans, routes and places endpoints declare each status they can return, as problem+json."""
    declared = {
        ("/v1/plans", "post"): {"401", "404", "422", "429", "503"},
        ("/v1/routes", "get"): {"404", "422", "429", "503"},
        ("/v1/isochrones", "get"): {"404", "422", "429", "503"},
        ("/v1/places/{place_id}", "get"): {"404", "422", "429"},
        ("/v1/operators/lines", "post"): {"401", "403", "404", "422", "429", "503"},
    }
    for (path, method), statuses in declared.items():
        responses = document["paths"][path][method]["responses"]
        assert statuses <= set(responses), (path, sorted(responses))
        for status in statuses:
            schema = responses[status]["content"]["application/problem+json"]["schema"]
            assert schema == {"$ref": "#/components/schemas/Problem"}
            assert "`" in responses[status]["description"]  # names the problem types


def test_declared_problem_types_are_registered(document: Schema) -> None:
    seen = 0
    for operations in document["paths"].values():
        for operation in operations.values():
            for status, response in operation.get("responses", {}).items():
                for slug in re.findall(r"\(`([a-z0-9-]+)`\)", response.get("description", "")):
                    seen += 1
                    assert slug in PROBLEM_TYPES, (slug, status)
                    assert PROBLEM_TYPES[slug].status == int(status)
    assert seen > 20


def test_answers_are_exactly_what_their_models_describe(client: TestClient) -> None:
    """Walk and bus routes, isochrones and plans (both line formats) validate and dump back unchanged."""
    routes = [
        client.get("/v1/routes", params={"from": "hoan-kiem-lake", "to": "temple-of-literature", "mode": mode})
        for mode in ("walk", "bus")
    ]
    for response in routes:
        body = response.json()
        model = RouteResponse.model_validate(body)
        assert model.model_dump(mode="json", by_alias=True, exclude_unset=True) == body
    assert isinstance(RouteResponse.model_validate(routes[1].json()).route, BusRoute)
    iso = client.get("/v1/isochrones", params={"at": "hoan-kiem-lake", "minutes": 5}).json()
    assert IsochroneResponse.model_validate(iso).model_dump(mode="json", exclude_unset=True) == iso
    for geometry in ("polyline", "geojson"):
        plan = {
            "start": "hoan-kiem-lake",
            "date": "2026-11-24",
            "interests": {"heritage": 1.0, "cuisine": 0.5},
            "geometry": geometry,
        }
        body = client.post("/v1/plans", json=plan, params={"lang": "vi"}).json()
        assert body["itinerary"]["lang"] == "vi"
        assert PlanResponse.model_validate(body).model_dump(mode="json", exclude_unset=True) == body


def absent(document: Schema, schema: Any, value: Any, where: str = "") -> Iterator[str]:
    """Where ``value`` leaves out a property its schema (the OpenAPI output schema) says is required."""
    if not isinstance(schema, dict):
        return
    _, schema = _resolve(document, schema)
    alternatives = [part for key in ("anyOf", "oneOf") for part in schema.get(key, [])]
    if alternatives:
        found = [list(absent(document, part, value, where)) for part in alternatives if _fits(document, part, value)]
        if found and all(found):
            yield from found[0]
        return
    if isinstance(value, dict):
        yield from (f"{where}.{name}" for name in schema.get("required", []) if name not in value)
        properties = schema.get("properties", {})
        extra = schema.get("additionalProperties")
        for name, item in value.items():
            inner = properties.get(name, extra if isinstance(extra, dict) else None)
            yield from absent(document, inner, item, f"{where}.{name}")
    elif isinstance(value, list) and isinstance(schema.get("items"), dict):
        for index, item in enumerate(value):
            yield from absent(document, schema["items"], item, f"{where}[{index}]")


def _fits(document: Schema, schema: Schema, value: Any) -> bool:
    """Whether ``value`` is of the alternative's JSON type (and constant, where one is given)."""
    _, schema = _resolve(document, schema)
    if "const" in schema:
        return bool(schema["const"] == value)
    kind = schema.get("type")
    types = {"object": dict, "array": list, "string": str, "boolean": bool, "null": type(None)}
    if kind in types:
        return isinstance(value, types[kind])
    if kind in {"number", "integer"}:
        return isinstance(value, int | float) and not isinstance(value, bool)
    discriminator = schema.get("properties", {}).get("mode", {})
    return not isinstance(value, dict) or "const" not in discriminator or discriminator["const"] == value.get("mode")


def output_schema(document: Schema, path: str, method: str, status: str) -> Schema:
    content: Schema = document["paths"][path][method]["responses"][status]["content"]
    return dict(next(iter(content.values()))["schema"])


def test_answers_carry_every_field_their_output_schema_requires(client: TestClient, document: Schema) -> None:
    """Fields with a default are required in the output schemas (issue 13): the answers do carry them."""
    assert set(document["components"]["schemas"]["TokenResponse"]["required"]) >= {"token_type", "expires_in"}
    assert "attribution" in document["components"]["schemas"]["PlanResponse"]["required"]
    assert "days" in document["components"]["schemas"]["SavedPlan-Output"]["required"]
    assert "days" not in document["components"]["schemas"]["SavedPlan-Input"].get("required", [])
    assert "departure" not in document["components"]["schemas"]["PlanVisit"]["required"]  # left out when none
    assert "end" not in document["components"]["schemas"]["PlanRequest"].get("required", [])  # a request's default
    device = client.post("/v1/auth/device", json={})
    headers = {"Authorization": f"Bearer {device.json()['access_token']}"}
    plan = {"start": "hoan-kiem-lake", "date": "2026-11-24", "interests": {"heritage": 1.0, "cuisine": 0.5}}
    planned = client.post("/v1/plans", json=plan)
    saved = client.post("/v1/itineraries", json={"title": "t", "plan": planned.json()["itinerary"]}, headers=headers)
    empty = client.post("/v1/itineraries", json={"title": "t", "plan": {}}, headers=headers)
    assert empty.json()["plan"] == {"days": []}
    calls = [
        ("/v1/auth/device", "post", "201", device),
        ("/v1/plans", "post", "200", planned),
        ("/v1/itineraries", "post", "201", saved),
        ("/v1/itineraries", "post", "201", empty),
        (
            "/v1/itineraries/{itinerary_id}",
            "get",
            "200",
            client.get(f"/v1/itineraries/{saved.json()['id']}", headers=headers),
        ),
        ("/v1/me/itineraries", "get", "200", client.get("/v1/me/itineraries", headers=headers)),
        ("/v1/places", "get", "200", client.get("/v1/places", params={"q": "van mieu"})),
        (
            "/v1/routes",
            "get",
            "200",
            client.get("/v1/routes", params={"from": "hoan-kiem-lake", "to": "temple-of-literature", "mode": "bus"}),
        ),
        ("/v1/isochrones", "get", "200", client.get("/v1/isochrones", params={"at": "hoan-kiem-lake", "minutes": 5})),
    ]
    for path, method, status, response in calls:
        assert str(response.status_code) == status, (path, response.text)
        schema = output_schema(document, path, method, status)
        assert list(absent(document, schema, response.json())) == [], (method, path)


def test_problem_errors_declare_the_place_and_its_suggestions(document: Schema) -> None:
    problem = document["components"]["schemas"]["Problem"]
    item = problem["properties"]["errors"]["items"]["properties"]
    assert item["place_id"]["type"] == "string"
    assert item["suggestions"] == item["suggestions"] | {"type": "array", "items": {"type": "string"}}
    assert not {"place_id", "suggestions"} & set(problem["properties"]["errors"]["items"]["required"])
