"""Feedback events from the app."""

from __future__ import annotations

from typing import Literal

from pydantic import ConfigDict, Field, StrictInt
from pydantic.config import JsonDict

from api.schemas.common import InputModel, ResponseModel, StrictModel, Timestamp

_RATING_NEEDS_A_RATING: JsonDict = {
    "if": {"properties": {"kind": {"const": "rating"}}, "required": ["kind"]},
    "then": {"required": ["rating"], "properties": {"rating": {"type": "integer", "minimum": 1, "maximum": 5}}},
}
"""The document says what the router enforces: an event of kind ``rating`` carries a rating of 1..5."""


class FeedbackEventIn(StrictModel):
    """One thing the traveller did; ``event_id`` is made by the app so a re-sent batch is not counted twice.

    ``event_id`` is unique per account (another account may use the same id). ``place_id`` must be a catalogue
    place, ``itinerary_id`` one of the account's itineraries, and ``occurred_at`` (with its UTC offset) within the
    last year and not more than a day ahead.
    """

    model_config = ConfigDict(extra="forbid", json_schema_extra=_RATING_NEEDS_A_RATING)

    event_id: str = Field(min_length=8, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")
    kind: Literal["visit", "like", "rating", "skip"]
    place_id: str = Field(min_length=1, max_length=100)
    itinerary_id: str | None = Field(default=None, max_length=36)
    rating: StrictInt | None = Field(default=None, ge=1, le=5)
    occurred_at: Timestamp


class FeedbackBatch(InputModel, StrictModel):
    """Up to 500 events, e.g. everything an offline app collected."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "events": [
                        {
                            "event_id": "0b6d8a7e-5c1f-4b7e-9a51-3d1f2e4c5a6b",
                            "kind": "rating",
                            "place_id": "temple-of-literature",
                            "rating": 5,
                            "occurred_at": "2026-11-24T10:15:00+07:00",
                        }
                    ]
                }
            ]
        },
    )

    events: list[FeedbackEventIn] = Field(min_length=1, max_length=500)


class FeedbackResponse(ResponseModel):
    """The events of the batch now stored for this account (now or by an earlier batch), committed."""

    acknowledged: list[str]
