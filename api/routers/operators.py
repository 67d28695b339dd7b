"""Operator tools: propose a heritage bus line, read it back, download it as GTFS / GeoJSON (operator API keys only).

Callers send ``X-API-Key`` (made by ``heritage operator-key create``); a tourist's bearer token is a 403, no
credentials a 401. ``/v1/operators/network`` (public, like the places) gives the page at ``/operators/`` the main
roads of our own drive graph to draw, so the map needs no tiles from the internet.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import tempfile
import threading
import zipfile
from pathlib import Path as FilePath
from typing import Annotated, Any

import numpy as np
import orjson
from fastapi import APIRouter, Depends, FastAPI, Header, Path, Query, Request, Response, status
from fastapi.security import APIKeyHeader
from fastapi.staticfiles import StaticFiles

from api.deps import CityDep, RouterDep, SessionDep
from api.errors import ApiProblemError, field_error, invalid, known_query, responses, unknown_place
from api.schemas import ATTRIBUTION, OperatorLineRequest, OperatorLineResponse, OperatorNetworkResponse
from api.schemas.common import Text
from api.schemas.operators import CommuneCoverageResponse, LineFeatureCollection, NetworkPlace
from api.security import InvalidTokenError, decode_token
from api.store import communes as commune_store
from api.store import repositories
from api.store.models import ApiKey, OperatorLine
from recommender.catalogue import UnknownPlaceError
from recommender.city import City
from recommender.communes.access import Getting
from recommender.communes.stories import Story, default_stories
from recommender.errors import RecommenderError
from recommender.operators import LineProposal, commune_coverage, propose_line, terminal
from routing import (
    CITY_TZ,
    DAY_S,
    ClockError,
    DesignOptions,
    FrozenGraph,
    LineDesignError,
    RoutingError,
    gtfs_tables,
    line_geojson,
    line_isochrones,
    parse_clock,
    parse_span,
    read_gtfs_line,
)

router = APIRouter(prefix="/v1/operators", tags=["operators"], dependencies=[Depends(known_query)])
Responses = dict[int | str, dict[str, Any]]
AUTH: Responses = responses("unauthorized", "invalid-api-key", "operators-only", "rate-limited")
NOT_FOUND: Responses = responses("line-not-found", "invalid-request")
LineId = Annotated[Text, Path(max_length=36)]
MAIN_ROADS = (
    "motorway",
    "trunk",
    "primary",
    "secondary",
    "tertiary",
    "motorway_link",
    "trunk_link",
    "primary_link",
    "secondary_link",
    "tertiary_link",
)
"""Road classes drawn on the operator map (residential streets would make it megabytes)."""


class GeoJSONResponse(Response):
    """A GeoJSON answer (``application/geo+json``)."""

    media_type = "application/geo+json"


_api_key = APIKeyHeader(name="X-API-Key", auto_error=False, description="An operator key (heritage operator-key).")
_network_lock = threading.Lock()
_network_cache: dict[str, bytes] = {}
_journeys_lock = threading.Lock()
_journeys: dict[str, dict[str, Getting]] = {}
"""Journeys from Hoàn Kiếm to signature places, by bundle then place (they change with the bundle only)."""


def get_operator(
    request: Request,
    session: SessionDep,
    api_key: Annotated[str | None, Depends(_api_key)],
    authorization: Annotated[str | None, Header(include_in_schema=False)] = None,
) -> ApiKey:
    """The live operator key of the request.

    Raises
    ------
    ApiProblemError
        403 for a valid tourist token without a key; 401 without credentials, or with an unknown or revoked key.
    """
    challenge = {"WWW-Authenticate": 'ApiKey realm="heritage-operators", header="X-API-Key"'}
    if api_key:
        row = repositories.api_key_for(session, api_key.strip())
        if row is None:
            raise ApiProblemError(
                401, "Invalid API key", "unknown or revoked operator key", kind="invalid-api-key", headers=challenge
            )
        return row
    if authorization and authorization.lower().startswith("bearer "):
        try:
            decode_token(request.app.state.settings, authorization[7:].strip(), "access")
        except InvalidTokenError:
            pass
        else:
            raise ApiProblemError(
                403,
                "Operators only",
                "these endpoints need an operator API key (X-API-Key), not a traveller's token",
                kind="operators-only",
            )
    raise ApiProblemError(
        401, "Not authenticated", "send X-API-Key: <operator key>", kind="unauthorized", headers=challenge
    )


OperatorDep = Annotated[ApiKey, Depends(get_operator)]


@router.post(
    "/lines",
    status_code=status.HTTP_201_CREATED,
    response_model_exclude_unset=True,  # a proposal without evaluation has no evaluation fields
    responses=responses(
        "unauthorized",
        "invalid-api-key",
        "operators-only",
        "unknown-place",
        "invalid-request",
        "unknown-interest",
        "line-error",
        "rate-limited",
        "database-unavailable",
    ),
)
def create_line(
    body: OperatorLineRequest, operator: OperatorDep, session: SessionDep, city: CityDep, response: Response
) -> OperatorLineResponse:
    """Propose a line: stops, order, round trip, fleet for the headway, vehicle-km, and (by default) what it changes."""
    options = _options(body)
    _check_places(body, city)
    try:
        proposal = propose_line(
            city,
            interests=body.interests,
            place_ids=body.place_ids,
            start=body.start,
            end=body.end,
            options=options,
            evaluate=body.evaluate,
            objective=body.objective,
        )
    except RoutingError as exc:
        # A design error names its field; another routing error (a leg no bus can drive) is about the places.
        field = exc.field if isinstance(exc, LineDesignError) else ("place_ids" if body.place_ids else "interests")
        raise ApiProblemError(
            422,
            "Cannot design this line",
            f"{field}: {exc}" if field else str(exc),
            kind="line-error",
            errors=[field_error(field, str(exc))],
        ) from exc
    row = repositories.save_operator_line(
        session,
        api_key_id=operator.id,
        name=body.name,
        bundle=city.bundle.name,
        request=body.model_dump(mode="json"),
        proposal=proposal.to_dict(),
        geojson=_geojson(proposal),
        gtfs_zip=_gtfs_zip(proposal),
    )
    response.headers["Location"] = f"/v1/operators/lines/{row.id}"
    return _to_response(row)


@router.get("/lines/{line_id}", responses={**AUTH, **NOT_FOUND}, response_model_exclude_unset=True)
def get_line(line_id: LineId, operator: OperatorDep, session: SessionDep) -> OperatorLineResponse:
    """A stored proposal (made with this key: another operator's is a 404)."""
    return _to_response(_stored(session, line_id, operator))


@router.get(
    "/lines/{line_id}/gtfs",
    response_class=Response,
    responses={**AUTH, **NOT_FOUND, 200: {"content": {"application/zip": {}}, "description": "The GTFS feed (zip)"}},
)
def get_line_gtfs(line_id: LineId, operator: OperatorDep, session: SessionDep) -> Response:
    """The line as a GTFS feed: agency, stops, routes, trips, stop_times, shapes, frequencies, calendar."""
    row = _stored(session, line_id, operator)
    filename = re.sub(r"[^A-Za-z0-9_-]", "-", str(row.request.get("line_id", "line")))
    return Response(
        row.gtfs_zip,
        media_type="application/zip",
        headers={"Content-Disposition": f'attachment; filename="{filename}-gtfs.zip"'},
    )


@router.get(
    "/lines/{line_id}/geojson",
    response_model=LineFeatureCollection,
    response_class=GeoJSONResponse,
    responses={**AUTH, **NOT_FOUND},
)
def get_line_geojson(line_id: LineId, operator: OperatorDep, session: SessionDep) -> Response:
    """The line as a GeoJSON FeatureCollection (``[lon, lat]``): one LineString per direction, one Point per stop."""
    row = _stored(session, line_id, operator)
    return GeoJSONResponse(orjson.dumps(row.geojson))


@router.get(
    "/lines/{line_id}/isochrones",
    response_class=GeoJSONResponse,
    responses={**AUTH, **NOT_FOUND, **responses("unknown-place", "line-error")},
)
def get_line_isochrones(  # noqa: PLR0917 (FastAPI parameters)
    line_id: LineId,
    operator: OperatorDep,
    session: SessionDep,
    city: CityDep,
    place_id: Annotated[Text, Query(max_length=200, description="The site the areas start from.")],
    minutes: Annotated[float, Query(gt=0, le=120, description="Travel budget, minutes.")] = 30.0,
    depart: Annotated[str, Query(pattern=r"^([01]\d|2[0-3]):[0-5]\d$", description="Departure, HH:MM.")] = "10:00",
) -> Response:
    """Before/after areas reachable by bus and on foot from a site within ``minutes`` (GeoJSON, two features)."""
    row = _stored(session, line_id, operator)
    try:
        place = city.catalogue.get(place_id)
    except UnknownPlaceError as exc:
        raise _unknown("place_id", exc) from exc
    with tempfile.TemporaryDirectory() as folder:
        path = FilePath(folder) / "line.zip"
        path.write_bytes(row.gtfs_zip)
        schedule = read_gtfs_line(path)
    try:
        depart_s = parse_clock(depart, what="depart", latest_s=DAY_S - 60)
    except ClockError as exc:
        raise invalid("depart", str(exc)) from exc
    try:
        areas = line_isochrones(city.bundle, schedule, place.lat, place.lon, minutes=minutes, depart_s=depart_s)
    except RoutingError as exc:
        raise ApiProblemError(
            422, "Cannot draw the areas", str(exc), kind="line-error", errors=[field_error("place_id", str(exc))]
        ) from exc
    return GeoJSONResponse(orjson.dumps(areas))


@router.get(
    "/network",
    response_class=Response,
    responses={
        200: {"model": OperatorNetworkResponse, "description": "Main roads and places (JSON)"},
        **responses("rate-limited"),
    },
)
def get_network(city: CityDep) -> Response:
    """The drive graph's main roads and the catalogue places, compact, for the operator page's own map."""
    name = city.bundle.name
    with _network_lock:
        cached = _network_cache.get(name)
        if cached is None:
            cached = orjson.dumps(_network(city).model_dump(mode="json"))
            _network_cache.clear()
            _network_cache[name] = cached
    return Response(cached, media_type="application/json")


@router.get("/communes", response_model=CommuneCoverageResponse, responses=responses("rate-limited"))
def get_commune_coverage(city: CityDep, city_router: RouterDep, session: SessionDep) -> CommuneCoverageResponse:
    """Per ward and commune: a verified story or not, and its signature place by bus from Hoàn Kiếm at 09:00.

    Public, like the network: the operator page's coverage table and map layer. Stories are the live ones (as
    ``GET /v1/communes``: an approved edit replaces the shipped story).
    """
    edited = {unit: Story.model_validate(body) for unit, body in commune_store.live_stories(session).items()}
    with _journeys_lock:
        journeys = _journeys.setdefault(city.bundle.name, {})
        rows = commune_coverage(city, city_router, {**default_stories(), **edited}, journeys=journeys)
    return CommuneCoverageResponse.model_validate(
        {
            "bundle": city.bundle.name,
            "units": rows,
            "verified": sum(row["verified_story"] for row in rows),
            "reached": sum(
                1
                for row in rows
                if row["transit_from_hoan_kiem"] and row["transit_from_hoan_kiem"]["duration_min"] is not None
            ),
        }
    )


# --- helpers -----------------------------------------------------------------------------------------------------


def _options(body: OperatorLineRequest) -> DesignOptions:
    """Check the combination of fields and turn the service settings into design options."""
    if not any(name.strip() for name in body.interests) and not body.place_ids:
        raise invalid("interests", "give interests (e.g. heritage, ci_centre) and/or place_ids")
    if body.end is not None and body.start is None:
        raise invalid("end", "an end terminal needs a start terminal: a line runs between two terminals")
    if body.end is not None and body.loop:
        raise invalid("loop", "a loop returns to its start: leave out the end terminal")
    headway_s = body.headway_min * 60
    if headway_s != round(headway_s):
        raise invalid("headway_min", "give a whole number of seconds")
    try:
        start_s, end_s = parse_span(body.service_hours, what="service_hours")
    except ClockError as exc:
        raise invalid("service_hours", str(exc)) from exc
    if headway_s > end_s - start_s:
        raise invalid("headway_min", "the headway is longer than the service hours")
    return DesignOptions(
        headway_s=round(headway_s),
        start_s=start_s,
        end_s=end_s,
        layover_s=body.layover_min * 60,
        max_stops=body.max_stops,
        line_id=body.line_id,
        name=body.name,
        max_fleet=body.max_fleet,
        kind="loop" if body.loop else body.kind,
        search_time_s=body.search_time_s,
        vnd_per_vehicle_km=body.vnd_per_vehicle_km,
        vnd_per_vehicle_hour=body.vnd_per_vehicle_hour,
    )


def _check_places(body: OperatorLineRequest, city: City) -> None:
    """Resolve every place and terminal first, so that an unknown one is a 404 naming its field."""
    for index, place_id in enumerate(body.place_ids):
        try:
            city.catalogue.get(place_id)
        except UnknownPlaceError as exc:
            raise _unknown(f"place_ids.{index}", exc) from exc
    for field in ("start", "end"):
        text = getattr(body, field)
        if text is None:
            continue
        try:
            terminal(text, city)
        except UnknownPlaceError as exc:
            raise _unknown(field, exc) from exc
        except RecommenderError as exc:
            raise invalid(field, str(exc)) from exc


def _unknown(field: str, exc: UnknownPlaceError) -> ApiProblemError:
    return unknown_place(field, exc)


def _geojson(proposal: LineProposal) -> dict[str, Any]:
    served = proposal.evaluation.served if proposal.evaluation is not None else None
    return line_geojson(proposal.line.schedule, served=served)


def _gtfs_zip(proposal: LineProposal) -> bytes:
    today = dt.datetime.now(tz=CITY_TZ).date()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, content in gtfs_tables(proposal.line.schedule, start_date=today).items():
            archive.writestr(name, content)
    return buffer.getvalue()


def _stored(session: SessionDep, line_id: str, operator: ApiKey) -> OperatorLine:
    """The line ``line_id`` if the operator's key made it (another key's line is a 404, as a missing one)."""
    row = repositories.get_operator_line(session, line_id, api_key_id=operator.id)
    if row is None:
        raise ApiProblemError(404, "Line not found", f"no proposed line {line_id}", kind="line-not-found")
    return row


def _to_response(row: OperatorLine) -> OperatorLineResponse:
    base = f"/v1/operators/lines/{row.id}"
    return OperatorLineResponse.model_validate(
        {
            "id": row.id,
            "created_at": row.created_at,
            "bundle": row.bundle,
            "request": row.request,
            "proposal": row.proposal,
            "links": {"self": base, "gtfs": base + "/gtfs", "geojson": base + "/geojson"},
            "attribution": ATTRIBUTION,
        }
    )


def _network(city: City) -> OperatorNetworkResponse:
    drive = city.bundle.drive
    roads, names = _main_roads(drive)
    places = [
        NetworkPlace(
            id=place.id,
            name=place.name_en,
            lat=round(place.lat, 5),
            lon=round(place.lon, 5),
            categories=[category.value for category in place.categories],
        )
        for place in city.catalogue.places
    ]
    bbox = [
        round(float(drive.node_lon.min()), 5),
        round(float(drive.node_lat.min()), 5),
        round(float(drive.node_lon.max()), 5),
        round(float(drive.node_lat.max()), 5),
    ]
    return OperatorNetworkResponse(
        bundle=city.bundle.name,
        bbox=bbox,
        classes=list(MAIN_ROADS),
        roads=roads,
        road_names=list(drive.names),
        road_name_index=names,
        places=places,
    )


def _main_roads(drive: FrozenGraph) -> tuple[list[list[float]], list[int]]:
    """One ``[class, lon, lat, ...]`` polyline per main road edge (both directions drawn once), and its name index."""
    wanted = {drive.highways.index(name): MAIN_ROADS.index(name) for name in MAIN_ROADS if name in drive.highways}
    tails = drive.tail()
    seen: set[tuple[int, int]] = set()
    roads: list[list[float]] = []
    names: list[int] = []
    for edge in np.flatnonzero(np.isin(drive.highway_index, list(wanted))):
        tail, head = int(tails[edge]), int(drive.head[edge])
        key = (min(tail, head), max(tail, head))
        if key in seen:
            continue
        seen.add(key)
        lat, lon = drive.edge_coordinates(int(edge))
        line: list[float] = [float(wanted[int(drive.highway_index[edge])])]
        previous: tuple[float, float] | None = None
        for point in zip(np.round(lon, 5).tolist(), np.round(lat, 5).tolist(), strict=True):
            if point != previous:
                line.extend(point)
                previous = point
        roads.append(line)
        names.append(int(drive.name_index[edge]))
    return roads, names


STATIC_DIR = FilePath(__file__).resolve().parent.parent / "static" / "operators"


def install_operator_tools(app: FastAPI) -> None:
    """Add the operator endpoints and serve the operator page (static files, no build step) at ``/operators/``."""
    app.include_router(router)
    app.mount("/operators", StaticFiles(directory=STATIC_DIR, html=True), name="operators")
