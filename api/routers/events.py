"""Events by dates and ward: festivals on the Vietnamese lunar calendar, exhibitions, markets, seasonal products."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Depends, Query

from api.errors import invalid, known_query, responses
from api.schemas.events import EventListResponse, EventResponse
from recommender.communes.events import default_events, occurrences
from recommender.wards import UnknownWardError, default_wards

router = APIRouter(prefix="/v1/events", tags=["events"], dependencies=[Depends(known_query)])
MAX_SPAN_DAYS = 366


@router.get("", response_model=EventListResponse, responses=responses("invalid-request"))
def list_events(
    from_: Annotated[dt.date, Query(alias="from", description="First day, YYYY-MM-DD.")],
    to: Annotated[dt.date, Query(description="Last day, YYYY-MM-DD (at most a year after `from`).")],
    ward: Annotated[str | None, Query(max_length=100, description="Ward or commune id or name.")] = None,
) -> EventListResponse:
    """The events that run on some day from ``from`` to ``to``, lunar dates converted on the Vietnamese calendar."""
    if to < from_:
        raise invalid("to", f"the last day {to} is before the first day {from_}")
    if (to - from_).days > MAX_SPAN_DAYS:
        raise invalid("to", f"ask for at most {MAX_SPAN_DAYS} days at once")
    if from_.year < 1902 or to.year > 2098:
        raise invalid("from", "dates from 1902 to 2098 only")
    unit = None
    if ward is not None:
        try:
            unit = default_wards().find(ward).id
        except UnknownWardError as exc:
            raise invalid("ward", str(exc)) from None
    found = occurrences(default_events(), from_, to, ward=unit)
    return EventListResponse(events=[EventResponse.model_validate(o.to_dict()) for o in found])
