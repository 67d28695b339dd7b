"""Saved itineraries: owners only (another user's itinerary is a 404), saves honour an Idempotency-Key."""

from __future__ import annotations

import base64
import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Header, Path, Query, Response, status

from api.deps import SessionDep, UserDep
from api.errors import ApiProblemError, invalid
from api.schemas import ItineraryCreate, ItineraryPageResponse, ItineraryResponse, ItineraryUpdate
from api.store import repositories
from api.store.models import SavedItinerary

router = APIRouter(prefix="/v1", tags=["itineraries"])
Responses = dict[int | str, dict[str, Any]]
NOT_FOUND: Responses = {404: {"description": "No such itinerary of yours (problem+json)"}}
AUTH: Responses = {401: {"description": "Missing, expired or invalid token (problem+json)"}}
ItineraryId = Annotated[str, Path(max_length=36)]


def to_response(row: SavedItinerary) -> ItineraryResponse:
    """The API's view of a stored itinerary."""
    return ItineraryResponse(
        id=row.id,
        title=row.title,
        notes=row.notes,
        plan=row.body,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


def _not_found(itinerary_id: str) -> ApiProblemError:
    return ApiProblemError(
        404, "Itinerary not found", f"no itinerary {itinerary_id} of yours", kind="itinerary-not-found"
    )


@router.post(
    "/itineraries",
    status_code=status.HTTP_201_CREATED,
    responses={
        **AUTH,
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
    """Keep a plan; repeating the request with the same ``Idempotency-Key`` returns the first save."""
    row, created = repositories.save_itinerary(
        session, owner_id=user.id, title=body.title, notes=body.notes, body=body.plan, idempotency_key=idempotency_key
    )
    if not created:
        response.status_code = status.HTTP_200_OK
        response.headers["Idempotent-Replayed"] = "true"
    response.headers["Location"] = f"/v1/itineraries/{row.id}"
    return to_response(row)


@router.get("/itineraries/{itinerary_id}", responses={**AUTH, **NOT_FOUND})
def get_itinerary(itinerary_id: ItineraryId, user: UserDep, session: SessionDep) -> ItineraryResponse:
    """One of your itineraries."""
    row = repositories.owned_itinerary(session, itinerary_id, user.id)
    if row is None:
        raise _not_found(itinerary_id)
    return to_response(row)


@router.patch("/itineraries/{itinerary_id}", responses={**AUTH, **NOT_FOUND})
def update_itinerary(
    itinerary_id: ItineraryId, body: ItineraryUpdate, user: UserDep, session: SessionDep
) -> ItineraryResponse:
    """Change the title, notes or plan of one of your itineraries."""
    row = repositories.owned_itinerary(session, itinerary_id, user.id)
    if row is None:
        raise _not_found(itinerary_id)
    changes = {"title": body.title, "notes": body.notes, "body": body.plan}
    return to_response(repositories.update_itinerary(session, row, changes))


@router.delete("/itineraries/{itinerary_id}", status_code=status.HTTP_204_NO_CONTENT, responses={**AUTH, **NOT_FOUND})
def delete_itinerary(itinerary_id: ItineraryId, user: UserDep, session: SessionDep) -> Response:
    """Delete one of your itineraries."""
    row = repositories.owned_itinerary(session, itinerary_id, user.id)
    if row is None:
        raise _not_found(itinerary_id)
    repositories.delete_itinerary(session, row)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/me/itineraries", responses=AUTH)
def my_itineraries(
    user: UserDep,
    session: SessionDep,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    cursor: Annotated[str | None, Query(max_length=200)] = None,
) -> ItineraryPageResponse:
    """Your itineraries, newest first."""
    page = repositories.list_itineraries(session, user.id, limit=limit, after=_decode(cursor))
    return ItineraryPageResponse(items=[to_response(row) for row in page.items], next_cursor=_encode(page.after))


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
