"""Dated events (festivals, exhibitions, performances, markets, seasonal products) as the API shows them."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import Field

from api.schemas.common import ATTRIBUTION, ResponseModel, StrictModel


class EventResponse(StrictModel, ResponseModel):
    """One occurrence of an event: the solar days it runs, its daily hours, where, and its sources."""

    id: str
    name_vi: str
    name_en: str
    kind: Literal["festival", "exhibition", "performance", "market", "seasonal"]
    place_id: str
    ward: str
    first_day: dt.date
    last_day: dt.date
    hours: str = Field(description="HH:MM-HH:MM, every day of the event.")
    hours_source: Literal["listed", "estimated"] = Field(
        description="estimated: the sources give the days, not the hours."
    )
    calendar: Literal["solar", "lunar"]
    lunar_start: str | None = Field(description="DD/MM on the Vietnamese lunar calendar, for a lunar event.")
    recurring: bool = Field(description="Every year (true) or one year only.")
    description_en: str
    description_vi: str
    sources: list[str] = Field(min_length=1)
    status: Literal["verified", "draft"]


class PlanEvent(EventResponse):
    """An event a plan attends: the day of the trip (1-based) and its date."""

    day: int = Field(ge=1, le=7)
    date: dt.date


class EventListResponse(ResponseModel):
    """The events running on some day from ``from`` to ``to``."""

    events: list[EventResponse]
    attribution: str = ATTRIBUTION
