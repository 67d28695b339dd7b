"""Saved itineraries."""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import BaseModel, Field


class ItineraryCreate(BaseModel):
    """A plan to keep (typically the ``itinerary`` of ``POST /v1/plans``)."""

    title: str = Field(min_length=1, max_length=200, examples=["Old Quarter food day"])
    notes: str = Field(default="", max_length=2000)
    plan: dict[str, Any] = Field(description="The itinerary JSON.")


class ItineraryUpdate(BaseModel):
    """Fields to change."""

    title: str | None = Field(default=None, min_length=1, max_length=200)
    notes: str | None = Field(default=None, max_length=2000)
    plan: dict[str, Any] | None = None


class ItineraryResponse(BaseModel):
    """A saved itinerary."""

    id: str
    title: str
    notes: str
    plan: dict[str, Any]
    created_at: dt.datetime
    updated_at: dt.datetime


class ItineraryPageResponse(BaseModel):
    """The caller's itineraries, newest first."""

    items: list[ItineraryResponse]
    next_cursor: str | None
