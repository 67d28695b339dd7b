"""Routes between two points and isochrones: CPU-bound, cached by bundle and normalised parameters."""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Awaitable, Callable
from typing import Annotated, Any, Literal

import orjson
from fastapi import APIRouter, Depends, Query, Request, Response
from starlette.concurrency import run_in_threadpool

from api.deps import CacheDep, CityDep, LanguageDep, RouterDep, SettingsDep
from api.errors import ApiProblemError, invalid, known_query, responses, unknown_place
from api.middleware import CLIENT_KEYS
from api.schemas import ATTRIBUTION, IsochroneArea, IsochronePlace, IsochroneResponse, RouteResponse
from recommender.catalogue import UnknownPlaceError
from recommender.city import City
from recommender.locate import Location, MalformedLocationError, resolve_location
from routing import DAY_S, DEPART_PATTERN, CityRouter, ClockError, RouteAnswer, isochrone, parse_clock

router = APIRouter(prefix="/v1", tags=["routes"], dependencies=[Depends(known_query)])
JSON = "application/json"
COORDINATE_DECIMALS = 4
"""Points given as ``lat,lon`` are rounded to this many decimals (about 11 m of latitude, 10 m of longitude in
Hanoi) before routing, so near-identical requests share one cache entry; docs/API.md, Cost budget."""
MAX_ISOCHRONE_MINUTES = 60.0
"""The most minutes any isochrone may ask for (the walking limit's ceiling; by bus the limit is lower)."""
TOKENS_AT_REFERENCE = 100.0
"""Cost-budget tokens of an uncached isochrone at its mode's reference minutes (about 1 s of CPU; 1 token ~ 10 ms)."""
REFERENCE_MINUTES = {"walk": 60.0, "bus": 30.0}
"""Minutes at which an uncached isochrone costs about 1 s of CPU, by mode (measured: walk 60 min 0.6-1.0 s, bus
30 min 0.6-0.9 s, bus 45 min 0.7-1.7 s, bus 120 min 5.5 s); the cost grows about as the square of the minutes."""

ROUTE_PROBLEMS = (
    "unknown-place",
    "invalid-request",
    "outside-area",
    "too-far-from-street",
    "no-route",
    "no-service",
    "rate-limited",
    "service-unavailable",
)
"""The problems of a request routed between user-given points (routes; plans add their own)."""


def parse_depart(text: str, field: str = "depart") -> int:
    """``"HH:MM"`` -> seconds after midnight (422 when malformed)."""
    try:
        return parse_clock(text, what=field, latest_s=DAY_S - 60)
    except ClockError as exc:
        raise invalid(field, str(exc)) from exc


def locate(
    text: str, city: City, field: str, *, places_anywhere: bool = False, streets: CityRouter | None = None
) -> Location:
    """Resolve ``"lat,lon"``, a place id or a name, and refuse points outside the bundle's area (422).

    An unknown place is a 404 naming ``field``, with the closest place ids as suggestions.

    With ``places_anywhere`` a catalogue place outside the area is kept (a route answer says how it is reached).
    With ``streets`` a point (not a place) beyond the query's snap distance from every street is a 422
    ``too-far-from-street`` naming ``field`` (:meth:`routing.CityRouter.require_street`).
    """
    try:
        location = resolve_location(text, city.catalogue)
    except UnknownPlaceError as exc:
        raise unknown_place(field, exc) from exc
    except MalformedLocationError as exc:
        raise invalid(field, str(exc)) from exc
    if places_anywhere and location.place is not None:
        return location
    south, west, north, east = city.bundle.manifest.bbox
    if not (south <= location.lat <= north and west <= location.lon <= east):
        raise invalid(
            field,
            f"{location.lat:.5f},{location.lon:.5f} is outside the city area ({south},{west},{north},{east})",
            kind="outside-area",
        )
    if streets is not None and location.place is None:
        streets.require_street((location.lat, location.lon), field=field)
    return location


def normalised(location: Location) -> Location:
    """A point rounded to :data:`COORDINATE_DECIMALS` (a place is kept as it is): what is routed and cached."""
    if location.place is not None:
        return location
    return dataclasses.replace(
        location, lat=round(location.lat, COORDINATE_DECIMALS), lon=round(location.lon, COORDINATE_DECIMALS)
    )


def _key(location: Location) -> str:
    digits = COORDINATE_DECIMALS
    return location.place.id if location.place else f"{location.lat:.{digits}f},{location.lon:.{digits}f}"


def isochrone_cost(minutes: float, mode: str) -> float:
    """The cost-budget tokens of computing an isochrone: about its CPU time in units of 10 ms, at least 1."""
    return max(1.0, math.ceil(TOKENS_AT_REFERENCE * (minutes / REFERENCE_MINUTES[mode]) ** 2))


async def spend_budget(request: Request, cache: CacheDep, settings: SettingsDep, cost: float) -> None:
    """Spend ``cost`` tokens of the client's cost budget, or refuse with 429 ``rate-limited`` and Retry-After.

    The client is who the middleware's rate limits count (its address and, with a bearer token, the token).
    """
    keys = request.scope.get(CLIENT_KEYS) or ["ip:" + (request.client.host if request.client else "unknown")]
    decision = await cache.spend(
        keys, cost, capacity=settings.cost_budget_tokens, refill_per_s=settings.cost_refill_per_s
    )
    if not decision.allowed:
        raise ApiProblemError.of(
            "rate-limited",
            f"this request costs {cost:g} tokens of the cost budget ({settings.cost_budget_tokens:g} tokens, "
            f"{settings.cost_refill_per_s:g} a second); retry after {decision.retry_after_s} s",
            headers={"Retry-After": str(decision.retry_after_s)},
        )


def cached_json(cache: CacheDep, key: str, ttl_s: int, compute: Any) -> Response:
    """The cached JSON bytes of ``key`` (computed once at a time on a miss), with ``X-Cache: hit|miss``."""
    body, hit = cache.get_or_compute(key, lambda: orjson.dumps(compute()), ttl_s=ttl_s)
    return Response(body, media_type=JSON, headers={"X-Cache": "hit" if hit else "miss"})


async def cached_answer(
    cache: CacheDep, key: str, ttl_s: int, compute: Any, *, on_miss: Callable[[], Awaitable[None]] | None = None
) -> Response:
    """:func:`cached_json`, with a cache hit answered on the event loop and only a miss sent to the thread pool.

    The endpoints that use it are ``async def`` but do only light work on the loop (parsing, resolving a place,
    one Redis GET); the CPU-bound ``compute`` runs in a worker thread, as a plain ``def`` endpoint would.
    ``on_miss`` runs before a miss is computed (it spends the cost budget, and may refuse).
    """
    body = await cache.aget(key)
    if body is not None:
        return Response(body, media_type=JSON, headers={"X-Cache": "hit"})
    if on_miss is not None:
        await on_miss()
    return await run_in_threadpool(cached_json, cache, key, ttl_s, compute)


@router.get(
    "/routes",
    response_model=RouteResponse,
    responses=responses(*ROUTE_PROBLEMS),
)
async def get_route(  # noqa: PLR0917 - FastAPI parameters
    city: CityDep,
    city_router: RouterDep,
    cache: CacheDep,
    settings: SettingsDep,
    lang: LanguageDep,
    from_: Annotated[
        str,
        Query(
            alias="from",
            min_length=1,
            max_length=200,
            description='"lat,lon", place id or name.',
            examples=["hoan-kiem-lake"],
        ),
    ],
    to: Annotated[str, Query(min_length=1, max_length=200, examples=["21.0277,105.8355"])],
    mode: Literal["walk", "bus"] = "walk",
    depart: Annotated[
        str, Query(max_length=5, description="HH:MM, bus mode.", json_schema_extra={"pattern": DEPART_PATTERN})
    ] = "09:00",
) -> Response:
    """The shortest walk, or the Pareto-optimal bus journeys (arrival vs rides), with legs and GeoJSON.

    Every answer says how each end meets the streets and the buses (``access``) and what kind of answer it is
    (``status``): a place out of reach of public transport answers ``no_public_transport`` (taxi only) with its
    nearest stop, never a walk of hours; see docs/API.md ("Places that are hard to reach").
    """
    depart_s = parse_depart(depart)
    start = normalised(locate(from_, city, "from", places_anywhere=True))
    end = normalised(locate(to, city, "to", places_anywhere=True))
    limits = city_router.limits
    key = (
        f"route:{city.bundle.name}:{limits.max_snap_m:g}:{limits.walk_speed_mps:g}:{mode}:{_key(start)}:{_key(end)}:"
        f"{depart_s if mode == 'bus' else ''}:{lang}"
    )

    def compute() -> dict[str, Any]:
        answer = city_router.route(
            (start.lat, start.lon),
            (end.lat, end.lon),
            mode=mode,
            depart_s=depart_s,
            from_place=start.place.id if start.place else None,
            to_place=end.place.id if end.place else None,
        )
        body = answer.to_dict(lang)
        label = _label(start, lang), _label(end, lang)
        return RouteResponse.model_validate(
            {
                "mode": mode,
                "status": answer.status,
                "message": answer.message(lang),
                "suggestion": answer.suggestion,
                "from_label": label[0],
                "to_label": label[1],
                "access": body["access"],
                "distance_m": body.get("distance_m"),
                "taxi": body.get("taxi"),
                "route": answer.route_dict(lang) or None,
                "geojson": {"type": "FeatureCollection", "features": route_features(answer)},
                "attribution": ATTRIBUTION,
            }
        ).model_dump(mode="json", by_alias=True, exclude_unset=True)

    return await cached_answer(cache, key, settings.cache_ttl_s, compute)


def route_features(answer: RouteAnswer) -> list[dict[str, Any]]:
    """The GeoJSON features of an answer, flat: the walk, or each leg of each journey with ``journey`` and ``leg``.

    ``journey`` is the index in ``route.journeys``, null for the walk-only alternative.
    """
    features: list[dict[str, Any]] = []
    journeys = len(answer.plan.journeys) if answer.plan is not None else 0
    for index, feature in enumerate(answer.features()):
        if feature.get("type") != "FeatureCollection":
            features.append(feature)
            continue
        journey = index if index < journeys else None
        features.extend({**leg, "properties": {**leg["properties"], "journey": journey}} for leg in feature["features"])
    return features


def _label(location: Location, lang: str) -> str:
    if location.place is None:
        return location.label
    return location.place.name_vi if lang == "vi" else location.place.name_en


@router.get(
    "/isochrones",
    response_model=IsochroneResponse,
    responses=responses(
        "unknown-place", "invalid-request", "outside-area", "too-far-from-street", "rate-limited", "service-unavailable"
    ),
)
async def get_isochrone(  # noqa: PLR0917 - FastAPI parameters
    request: Request,
    city: CityDep,
    city_router: RouterDep,
    cache: CacheDep,
    settings: SettingsDep,
    lang: LanguageDep,
    at: Annotated[
        str,
        Query(min_length=1, max_length=200, description='"lat,lon", place id or name.', examples=["hoan-kiem-lake"]),
    ],
    minutes: Annotated[float, Query(gt=0, le=MAX_ISOCHRONE_MINUTES)] = 15.0,
    mode: Literal["walk", "bus"] = "walk",
    depart: Annotated[
        str, Query(max_length=5, description="HH:MM, bus mode.", json_schema_extra={"pattern": DEPART_PATTERN})
    ] = "09:00",
) -> Response:
    """The area and the places reachable within ``minutes`` on foot, or by bus and on foot.

    ``minutes`` is at most ``HERITAGE_ISOCHRONE_MAX_MINUTES_WALK`` (60) on foot and ``..._BUS`` (30) by bus (422
    beyond); an uncached answer spends the client's cost budget (429 with Retry-After when it is exhausted).
    """
    depart_s = parse_depart(depart)
    limit = settings.isochrone_max_minutes_bus if mode == "bus" else settings.isochrone_max_minutes_walk
    if minutes > limit:
        raise invalid("minutes", f"at most {limit:g} minutes by {mode} (the cost budget of a request); got {minutes:g}")
    start = normalised(locate(at, city, "at", streets=city_router))
    limits = f"{city_router.limits.max_snap_m:g}:{city_router.limits.walk_speed_mps:g}"
    key = f"iso:{city.bundle.name}:{limits}:{mode}:{_key(start)}:{minutes:g}:{depart_s if mode == 'bus' else ''}:{lang}"

    def compute() -> dict[str, Any]:
        result = isochrone(
            city_router.travel_times,
            start.lat,
            start.lon,
            minutes=minutes,
            mode=mode,
            depart_s=depart_s if mode == "bus" else None,
        )
        names = {p.id: (p.name_vi if lang == "vi" else p.name_en) for p in city.catalogue}
        return IsochroneResponse(
            mode=mode,
            minutes=minutes,
            places=[
                IsochronePlace(id=pid, name=names.get(pid, pid), duration_s=seconds) for pid, seconds in result.places
            ],
            area=IsochroneArea.model_validate(result.to_geojson()),
            attribution=ATTRIBUTION,
        ).model_dump(mode="json", exclude_unset=True)

    async def spend() -> None:
        await spend_budget(request, cache, settings, isochrone_cost(minutes, mode))

    return await cached_answer(cache, key, settings.cache_ttl_s, compute, on_miss=spend)
