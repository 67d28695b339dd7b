"""Trip plans: interests, window and mode in, an itinerary with routed legs out (cached per normalised request)."""

from __future__ import annotations

import hashlib
from typing import Annotated, Any

import orjson
from fastapi import APIRouter, Depends, Request, Response
from fastapi.security import HTTPAuthorizationCredentials
from starlette.concurrency import run_in_threadpool

from api.deps import BearerDep, CacheDep, CityDep, LanguageDep, PlannerDep, RouterDep, SettingsDep, get_current_user
from api.errors import ApiProblemError, invalid, known_query, responses
from api.routers.journeys import ROUTE_PROBLEMS, cached_answer, locate
from api.schemas import PlanRequest, PlanResponse
from api.security import InvalidTokenError, decode_token
from api.store import repositories
from recommender.locate import Location
from recommender.messages import Language, localise
from recommender.scoring import Context, Interests
from recommender.trip import TripRequest, parse_window
from recommender.trip.itinerary import with_geometry

router = APIRouter(prefix="/v1", tags=["plans"], dependencies=[Depends(known_query)])
MAX_WINDOW_S = 16 * 3600
PLAN_TIME_LIMIT_S = 0.5
"""Search time per day of a plan (``TripRequest.time_limit_s``)."""


async def liked_places(request: Request, credentials: BearerDep) -> tuple[str, ...]:
    """The signed-in traveller's liked places when the service plans with a learnt model, else none.

    Anonymous calls (most plans) touch neither the database nor the thread pool; a token that is sent must be valid.
    """
    if credentials is None:
        return ()
    if request.app.state.preference_model is None:
        # The hand-set scores need no account: check the token's signature, not the database (which may be down).
        try:
            decode_token(request.app.state.settings, credentials.credentials, "access")
        except InvalidTokenError as exc:
            challenge = {"WWW-Authenticate": 'Bearer realm="heritage"'}
            raise ApiProblemError(401, "Invalid token", str(exc), kind="invalid-token", headers=challenge) from exc
        return ()
    return await run_in_threadpool(_liked_by_bearer, request, credentials)


def _liked_by_bearer(request: Request, credentials: HTTPAuthorizationCredentials) -> tuple[str, ...]:
    with request.app.state.sessions() as session:
        user = get_current_user(request, credentials, session)
        return tuple(repositories.liked_place_ids(session, user.id))


@router.post(
    "/plans",
    response_model=PlanResponse,
    responses=responses("invalid-token", "unknown-interest", "trip-error", *ROUTE_PROBLEMS),
    openapi_extra={"security": [{}, {"HTTPBearer": []}]},  # the token is optional
)
async def create_plan(  # noqa: PLR0917 - FastAPI parameters
    body: PlanRequest,
    city: CityDep,
    planner: PlannerDep,
    city_router: RouterDep,
    cache: CacheDep,
    settings: SettingsDep,
    lang: LanguageDep,
    liked: Annotated[tuple[str, ...], Depends(liked_places)],
) -> Response:
    """Plan the best visits for the traveller's interests under opening hours, meals and the daily window.

    Each leg part's line comes once, as an encoded polyline (precision 5) unless the body asks for
    ``"geometry": "geojson"`` (GeoJSON LineStrings).

    Anonymous by default. With a bearer token, and when the service has a learnt model, the places the traveller
    liked or rated 4-5 (``POST /v1/feedback``) steer the plan.

    Place names, the reasons for each visit and the warnings are in ``?lang=`` (``en`` or ``vi``), else in the
    language Accept-Language prefers, else in English; ``name_vi`` always gives a place's Vietnamese name.
    """
    window_start_s, window_end_s = parse_window(body.window)
    if window_end_s - window_start_s > MAX_WINDOW_S:
        raise invalid("window", "a day's window is at most 16 h")
    start = locate(body.start, city, "start", streets=city_router)
    end = locate(body.end, city, "end", streets=city_router) if body.end else None
    interests = Interests.parse(body.interests)
    normalised = body.model_dump(mode="json") | {
        "start": start.place.id if start.place else f"{start.lat:.5f},{start.lon:.5f}",
        "end": (end.place.id if end.place else f"{end.lat:.5f},{end.lon:.5f}") if end else None,
        "interests": {str(k): round(v, 4) for k, v in sorted(interests.weights.items())},
        "must": sorted(body.must),
        "avoid": sorted(body.avoid),
        "liked": sorted(liked),
        "lang": lang,
    }
    key = f"plan:{city.bundle.name}:{city_router.limits.max_snap_m:g}:{_digest(normalised)}"

    def compute() -> dict[str, Any]:
        request = trip_request(body, start=start, end=end, interests=interests, liked=liked)
        answer = planner.plan(request)
        itinerary = with_geometry(answer["itinerary"], body.geometry)
        typed = {**answer, "itinerary": {**localise(itinerary, Language(lang)), "lang": lang}}
        PlanResponse.model_validate(typed)  # the answer is what the OpenAPI document says (typed, on a cache miss)
        return typed

    return await cached_answer(cache, key, settings.cache_ttl_s, compute)


def _digest(value: dict[str, Any]) -> str:
    return hashlib.sha256(orjson.dumps(value, option=orjson.OPT_SORT_KEYS)).hexdigest()[:40]


def trip_request(
    body: PlanRequest,
    *,
    start: Location,
    end: Location | None,
    interests: Interests,
    liked: tuple[str, ...] = (),
) -> TripRequest:
    """The planner's request for a plan request whose places and interests are resolved.

    One mapping for new plans and for saved itineraries re-timed from their stored request.
    """
    window_start_s, window_end_s = parse_window(body.window)
    return TripRequest(
        start=start,
        end=end,
        date=body.date,
        window_start_s=window_start_s,
        window_end_s=window_end_s,
        interests=interests,
        mode=body.mode,
        days=body.days,
        pace=body.pace,
        must_visit=tuple(body.must),
        avoid=tuple(body.avoid),
        max_walk_leg_m=body.max_walk_leg_m,
        max_walk_day_m=body.max_walk_day_m,
        meals=body.meals,
        context=Context(weather=body.weather, with_children=body.children),
        seed=body.seed,
        time_limit_s=PLAN_TIME_LIMIT_S,
        liked=liked,
        theme=body.theme,
    )
