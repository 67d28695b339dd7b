"""Feedback events from the app (batched for offline use); acknowledged only once committed.

Every event is checked before any is stored: a known place (else 422 with suggestions), an itinerary of the
caller's (an unknown id is a 422, another account's a 404), a time within the last year and at most a day ahead.
A batch with one bad event stores nothing, so the app can fix it and resend the whole batch.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Final

from fastapi import APIRouter, Depends

from api.deps import CityDep, SessionDep, UserDep
from api.errors import ApiProblemError, field_error, known_query
from api.schemas import FeedbackBatch, FeedbackEventIn, FeedbackResponse
from api.store import repositories
from api.store.models import utcnow
from recommender.catalogue import Catalogue, UnknownPlaceError

router = APIRouter(prefix="/v1", tags=["feedback"], dependencies=[Depends(known_query)])
MAX_AHEAD: Final[dt.timedelta] = dt.timedelta(days=1)
"""How far ahead of the server's clock an event may be (a phone's clock may be off, or in another zone)."""
MAX_AGE: Final[dt.timedelta] = dt.timedelta(days=365)
"""How old an event may be (an app offline for a long trip still sends its events)."""


@router.post(
    "/feedback",
    responses={
        401: {"description": "Missing or invalid token"},
        404: {"description": "An event names another account's itinerary (problem+json); nothing was stored"},
        422: {"description": "An unknown place or itinerary, or a time out of range (problem+json per event)"},
        503: {"description": "Database unavailable: nothing was stored, resend the batch"},
    },
)
def post_feedback(batch: FeedbackBatch, user: UserDep, session: SessionDep, city: CityDep) -> FeedbackResponse:
    """Store a batch of visit, like, rating and skip events; re-sending events (same ``event_id``) is harmless.

    ``acknowledged`` lists the batch's events now stored for this account (stored now or by an earlier batch).
    """
    owners = repositories.itinerary_owners(
        session, [event.itinerary_id for event in batch.events if event.itinerary_id is not None]
    )
    if set(owners.values()) - {user.id}:
        other = next(item for item, owner in owners.items() if owner != user.id)
        raise ApiProblemError(404, "Itinerary not found", f"no itinerary {other} of yours", kind="itinerary-not-found")
    now = utcnow()
    errors: list[dict[str, Any]] = []
    events: dict[str, dict[str, object]] = {}
    for index, event in enumerate(batch.events):
        errors.extend(_event_errors(f"events.{index}", event, city.catalogue, owners, now))
        events.setdefault(event.event_id, event.model_dump())
    if errors:
        first = errors[0]
        raise ApiProblemError(
            422, "Invalid request", f"{first['field']}: {first['detail']}", kind="invalid-request", errors=errors
        )
    acknowledged = repositories.record_feedback(session, user.id, list(events.values()))
    return FeedbackResponse(acknowledged=acknowledged)


def _event_errors(
    where: str, event: FeedbackEventIn, catalogue: Catalogue, owners: dict[str, str], now: dt.datetime
) -> list[dict[str, Any]]:
    """What is wrong with one event (empty when nothing is), each naming its field."""
    errors: list[dict[str, Any]] = []
    if event.kind == "rating" and event.rating is None:
        errors.append(field_error(f"{where}.rating", "a rating event needs a rating 1..5"))
    try:
        catalogue.get(event.place_id)
    except UnknownPlaceError as exc:
        errors.append(field_error(f"{where}.place_id", str(exc)) | {"suggestions": list(exc.suggestions)})
    if event.itinerary_id is not None and event.itinerary_id not in owners:
        errors.append(field_error(f"{where}.itinerary_id", f"no itinerary {event.itinerary_id}"))
    if event.occurred_at > now + MAX_AHEAD:
        errors.append(field_error(f"{where}.occurred_at", "more than a day in the future; check the phone's clock"))
    elif event.occurred_at < now - MAX_AGE:
        errors.append(field_error(f"{where}.occurred_at", "more than a year ago"))
    return errors
