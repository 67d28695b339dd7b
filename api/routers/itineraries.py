"""Saved itineraries: owners only (another user's itinerary is a 404), saves honour an Idempotency-Key.

A saved itinerary is the plan request and the plan in its typed form (:class:`api.schemas.SavedPlan`). ``PATCH``
edits the title, notes, the plan, or the visits of some days, which are re-timed through the planner
(:func:`recommender.trip.edit.retime_trip`). Listings answer summaries, not plans.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
from typing import Annotated, Any, Final

import polyline
from fastapi import APIRouter, Depends, Header, Path, Query, Response, status
from pydantic import ValidationError
from sqlalchemy.orm import Session
from starlette.exceptions import HTTPException as StarletteHTTPException

from api.deps import CityDep, LanguageDep, RouterDep, SessionDep, UserDep
from api.errors import ApiProblemError, field_error, invalid, known_query
from api.routers.journeys import locate
from api.routers.plans import trip_request
from api.schemas import (
    ItineraryCreate,
    ItineraryPageResponse,
    ItineraryResponse,
    ItineraryUpdate,
    PlanRequest,
)
from api.schemas.common import Text
from api.schemas.itineraries import DayEdit, ItinerarySummary, SavedPlan
from api.store import repositories
from api.store.models import PLAN_CHECKED, PLAN_LEGACY, PLAN_UNCHECKED, SavedItinerary
from recommender.city import City
from recommender.messages import Language
from recommender.scoring import Interests
from recommender.trip import TripRequest
from recommender.trip.edit import EditedVisit, VisitDoesNotFitError, retime_trip
from recommender.trip.itinerary import GeometryFormat
from routing import CityRouter, ClockError, parse_clock

router = APIRouter(prefix="/v1", tags=["itineraries"], dependencies=[Depends(known_query)])
Responses = dict[int | str, dict[str, Any]]
NOT_FOUND: Responses = {404: {"description": "No such itinerary of yours (problem+json)"}}
AUTH: Responses = {401: {"description": "Missing, expired or invalid token (problem+json)"}}
INVALID: Responses = {
    422: {
        "description": "An unknown field (with a suggestion), an invalid plan, or an Idempotency-Key used before "
        "with another body (`idempotency-key-reused`) (problem+json)"
    }
}
ItineraryId = Annotated[Text, Path(max_length=36)]
ITINERARY_METHODS: Final[str] = "GET, PATCH, DELETE"
"""The methods of ``/v1/itineraries/{itinerary_id}`` (the ``Allow`` of its 405)."""
THUMBNAIL_PRECISION: Final[int] = 4
"""Decimal digits of the summary's thumbnail line (about 10 m)."""


# --- reading -----------------------------------------------------------------------------------------------------


def _plan_of(row: SavedItinerary) -> SavedPlan | None:
    """The row's plan in its typed form, or None for a legacy plan (one the model refuses)."""
    if row.plan_format == PLAN_LEGACY:
        return None
    try:
        return SavedPlan.model_validate(row.body)
    except ValidationError:  # saved before plans were typed (or checked by an older model): kept, served as text
        return None


def _checked(session: Session, row: SavedItinerary) -> SavedPlan | None:
    """The typed plan; a row saved before plans were typed is checked once and marked ``checked`` or ``legacy``."""
    plan = _plan_of(row)
    if row.plan_format == PLAN_UNCHECKED:
        summary = _summary_of(plan.stored() if plan is not None else row.body)
        repositories.mark_plan_format(session, row, PLAN_CHECKED if plan is not None else PLAN_LEGACY, summary)
    return plan


def to_response(session: Session, row: SavedItinerary) -> ItineraryResponse:
    """The API's view of a stored itinerary."""
    plan = _checked(session, row)
    return ItineraryResponse(
        id=row.id,
        title=row.title,
        notes=row.notes,
        legacy=plan is None,
        plan=plan,
        legacy_plan=None if plan is not None else json.dumps(row.body, ensure_ascii=False),
        request=PlanRequest.model_validate(row.request) if row.request is not None else None,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


def to_summary(session: Session, row: SavedItinerary) -> ItinerarySummary:
    """What a listing shows of a stored itinerary."""
    if row.summary is None or row.plan_format == PLAN_UNCHECKED:
        _checked(session, row)
    summary = row.summary if row.summary is not None else _summary_of(row.body)
    return ItinerarySummary(
        id=row.id,
        title=row.title,
        legacy=row.plan_format == PLAN_LEGACY,
        created_at=row.created_at,
        updated_at=row.updated_at,
        **summary,
    )


def _summary_of(plan: Any) -> dict[str, Any]:
    """Dates, visit count, first place and thumbnail line of a plan's JSON (best effort for a legacy one)."""
    days = plan.get("days") if isinstance(plan, dict) else None
    days = [day for day in days if isinstance(day, dict)] if isinstance(days, list) else []
    dates = sorted(str(day["date"]) for day in days if isinstance(day.get("date"), str))
    visits = [visit for day in days for visit in day.get("visits", []) if isinstance(visit, dict)]
    stops = [stop for day in days for stop in [day.get("start"), *day.get("visits", [])] if isinstance(stop, dict)]
    points = [
        (float(stop["lat"]), float(stop["lon"]))
        for stop in stops
        if isinstance(stop.get("lat"), int | float) and isinstance(stop.get("lon"), int | float)
    ]
    first = visits[0] if visits else None
    return {
        "first_date": _date(dates[0]) if dates else None,
        "last_date": _date(dates[-1]) if dates else None,
        "days": len(days),
        "visit_count": len(visits),
        "first_place": (
            {"place_id": str(first.get("place_id", "")), "name": str(first.get("name", ""))} if first else None
        ),
        "thumbnail": polyline.encode(points, THUMBNAIL_PRECISION) if points else "",
    }


def _date(text: str) -> str | None:
    try:
        return dt.date.fromisoformat(text).isoformat()
    except ValueError:
        return None


def _not_found(itinerary_id: str) -> ApiProblemError:
    return ApiProblemError(
        404, "Itinerary not found", f"no itinerary {itinerary_id} of yours", kind="itinerary-not-found"
    )


# --- endpoints ---------------------------------------------------------------------------------------------------


@router.post(
    "/itineraries",
    status_code=status.HTTP_201_CREATED,
    response_model_exclude_unset=True,
    responses={
        **AUTH,
        **INVALID,
        200: {"model": ItineraryResponse, "description": "Replay of an earlier save with the same Idempotency-Key"},
    },
)
def save_itinerary(
    body: ItineraryCreate,
    user: UserDep,
    session: SessionDep,
    response: Response,
    idempotency_key: Annotated[
        str | None, Header(max_length=200, description="Saves with the same key make one itinerary.")
    ] = None,
) -> ItineraryResponse:
    """Keep a plan (and the request that made it); repeating with the same ``Idempotency-Key`` returns the first save.

    The plan is checked against the plan model (unknown fields are refused); it is answered back as it was given.
    A repeat with the same key and body answers 200 with the first save's answer (``Idempotent-Replayed: true``),
    even if the itinerary was edited since; with another body, 422 ``idempotency-key-reused``.
    """
    stored = body.plan.stored()
    save: dict[str, Any] = {
        "title": body.title,
        "notes": body.notes,
        "body": stored,
        "request": body.request.model_dump(mode="json") if body.request is not None else None,
    }
    row, created = repositories.save_itinerary(
        session, owner_id=user.id, summary=_summary_of(stored), idempotency_key=idempotency_key, **save
    )
    if not created:
        if not repositories.same_save(row, **save):
            raise ApiProblemError.of(
                "idempotency-key-reused",
                "this Idempotency-Key was used for a save with another body; use a new key for a new save",
            )
        response.status_code = status.HTTP_200_OK
        response.headers["Idempotent-Replayed"] = "true"
        # The original answer (IETF Idempotency-Key draft), not the row as edited since: the first save's fields
        # are this body's (same fingerprint), its id and time the row's.
        row = SavedItinerary(
            id=row.id, plan_format=PLAN_CHECKED, created_at=row.created_at, updated_at=row.created_at, **save
        )
    response.headers["Location"] = f"/v1/itineraries/{row.id}"
    return to_response(session, row)


@router.get("/itineraries/{itinerary_id}", response_model_exclude_unset=True, responses={**AUTH, **NOT_FOUND})
def get_itinerary(itinerary_id: ItineraryId, user: UserDep, session: SessionDep) -> ItineraryResponse:
    """One of your itineraries, with its plan (or, for a legacy plan, its JSON as it was stored)."""
    row = repositories.owned_itinerary(session, itinerary_id, user.id)
    if row is None:
        raise _not_found(itinerary_id)
    return to_response(session, row)


@router.patch(
    "/itineraries/{itinerary_id}",
    response_model_exclude_unset=True,
    responses={
        **AUTH,
        **NOT_FOUND,
        422: {
            "description": "An unknown field (with a suggestion), an invalid plan, or an edited visit that no longer "
            "fits (problem+json naming it: `errors[0].field` is `days.<i>.visits.<j>`)"
        },
    },
)
def update_itinerary(  # noqa: PLR0917 - FastAPI parameters
    itinerary_id: ItineraryId,
    body: ItineraryUpdate,
    user: UserDep,
    session: SessionDep,
    city: CityDep,
    city_router: RouterDep,
    lang: LanguageDep,
) -> ItineraryResponse:
    """Change the title, notes, request or plan of one of your itineraries, or edit the visits of some days.

    ``days`` gives the new visit list of each edited day, in order: leave a visit out to remove it, list a new
    place to add it, reorder them, set a ``start`` time or a ``duration_min``. The edited plan is re-timed through
    the planner (real walks and buses, opening hours on the day's date, the day window) with the saved request (or
    the ``request`` sent with the edit) and answered; a visit that no longer fits is a 422 naming it.
    """
    row = repositories.owned_itinerary(session, itinerary_id, user.id)
    if row is None:
        raise _not_found(itinerary_id)
    changes: dict[str, Any] = {"title": body.title, "notes": body.notes}
    if body.request is not None:
        changes["request"] = body.request.model_dump(mode="json")
    if body.plan is not None:
        stored = body.plan.stored()
        changes |= {"body": stored, "summary": _summary_of(stored), "plan_format": PLAN_CHECKED}
    if body.days is not None:
        request = body.request or (PlanRequest.model_validate(row.request) if row.request is not None else None)
        plan = _checked(session, row)
        if request is None:
            raise invalid("request", "this itinerary was saved without its plan request; send it with the edit")
        if plan is None:
            raise invalid("days", "a legacy plan cannot be edited; send a new plan")
        edited = _retimed(city, city_router, request, plan, body.days, Language(lang))
        stored = edited.stored()
        changes |= {"body": stored, "summary": _summary_of(stored), "plan_format": PLAN_CHECKED}
    return to_response(session, repositories.update_itinerary(session, row, changes))


@router.delete("/itineraries/{itinerary_id}", status_code=status.HTTP_204_NO_CONTENT, responses={**AUTH, **NOT_FOUND})
def delete_itinerary(itinerary_id: ItineraryId, user: UserDep, session: SessionDep) -> Response:
    """Delete one of your itineraries."""
    row = repositories.owned_itinerary(session, itinerary_id, user.id)
    if row is None:
        raise _not_found(itinerary_id)
    repositories.delete_itinerary(session, row)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.api_route(
    "/itineraries/{itinerary_id}", methods=["HEAD", "OPTIONS", "POST", "PUT", "TRACE"], include_in_schema=False
)
def itinerary_method_not_allowed(itinerary_id: ItineraryId) -> Response:
    """A 405 that lists every method of the path (each method is its own route, which alone lists only its own)."""
    del itinerary_id
    raise StarletteHTTPException(status.HTTP_405_METHOD_NOT_ALLOWED, headers={"Allow": ITINERARY_METHODS})


@router.get("/me/itineraries", responses=AUTH)
def my_itineraries(
    user: UserDep,
    session: SessionDep,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    cursor: Annotated[Text | None, Query(min_length=1, max_length=200)] = None,
) -> ItineraryPageResponse:
    """Your itineraries, newest first, as summaries (title, dates, visit count, first place, a thumbnail line)."""
    page = repositories.list_itineraries(session, user.id, limit=limit, after=_decode(cursor))
    return ItineraryPageResponse(
        items=[to_summary(session, row) for row in page.items], next_cursor=_encode(page.after)
    )


# --- editing -----------------------------------------------------------------------------------------------------


def _retimed(  # noqa: PLR0917 - the edit and everything it is re-timed with
    city: City, city_router: CityRouter, body: PlanRequest, plan: SavedPlan, edits: list[DayEdit], lang: Language
) -> SavedPlan:
    """The plan with the edited days' visits, re-timed through the planner, in the plan's line format."""
    request = _trip_request(body, city)
    if len(plan.days) != request.days:
        raise invalid("request", f"the plan has {len(plan.days)} days, its request {request.days}")
    days = [[_as_planned(visit) for visit in day.visits] for day in plan.days]
    for index, edit in enumerate(edits):
        if edit.day > len(days):
            raise invalid(f"days.{index}.day", f"the plan has {len(days)} days")
        days[edit.day - 1] = _edited_day(plan.days[edit.day - 1].visits, edit, index)
    try:
        itinerary = retime_trip(city, city_router, request, days)
    except VisitDoesNotFitError as exc:
        edit_of_day = {edit.day - 1: index for index, edit in enumerate(edits)}
        field = (
            f"days.{edit_of_day[exc.day]}.visits.{exc.position}"
            if exc.day in edit_of_day
            else f"plan.days.{exc.day}.visits.{exc.position}"  # a day not edited no longer fits its (new) request
        )
        raise ApiProblemError(
            422,
            "Cannot plan this trip",
            str(exc),
            kind="trip-error",
            errors=[field_error(field, str(exc)) | {"place_id": exc.place_id, "suggestions": list(exc.suggestions)}],
        ) from exc
    geometry = GeometryFormat(plan.geometry or body.geometry)
    return SavedPlan.model_validate(itinerary.to_dict(geometry=geometry, lang=lang))


def _as_planned(visit: Any) -> EditedVisit:
    """A stored visit as it was planned: the same place, kind and length."""
    return EditedVisit(visit.place_id, meal=visit.kind != "visit", duration_s=_minutes(visit.start, visit.end) * 60.0)


def _edited_day(planned: list[Any], edit: DayEdit, index: int) -> list[EditedVisit]:
    """The edited visit list of a day: a place already planned that day keeps its kind and length unless changed."""
    remaining = list(planned)
    visits: list[EditedVisit] = []
    for position, wanted in enumerate(edit.visits):
        before = next((visit for visit in remaining if visit.place_id == wanted.place_id), None)
        if before is not None:
            remaining.remove(before)
        base = _as_planned(before) if before is not None else EditedVisit(wanted.place_id)
        try:
            start_s = float(parse_clock(wanted.start, what="start")) if wanted.start is not None else None
        except ClockError as exc:
            raise invalid(f"days.{index}.visits.{position}.start", str(exc)) from exc
        duration_s = wanted.duration_min * 60.0 if wanted.duration_min is not None else base.duration_s
        visits.append(EditedVisit(wanted.place_id, meal=base.meal, duration_s=duration_s, start_s=start_s))
    return visits


def _minutes(start: str, end: str) -> float:
    return (parse_clock(end, latest_s=None) - parse_clock(start, latest_s=None)) / 60.0


def _trip_request(body: PlanRequest, city: City) -> TripRequest:
    """The planner's request for a stored plan request (as ``POST /v1/plans`` builds it; no liked places)."""
    return trip_request(
        body,
        start=locate(body.start, city, "start"),
        end=locate(body.end, city, "end") if body.end else None,
        interests=Interests.parse(body.interests),
    )


# --- paging ------------------------------------------------------------------------------------------------------


def _encode(after: tuple[dt.datetime, str] | None) -> str | None:
    if after is None:
        return None
    text = after[0].isoformat() + "|" + after[1]
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def _decode(cursor: str | None) -> tuple[dt.datetime, str] | None:
    if not cursor:
        return None
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        stamp, _, last_id = text.partition("|")
        return dt.datetime.fromisoformat(stamp), last_id
    except ValueError:
        raise invalid("cursor", "not a cursor this API returned") from None
