"""Wards and communes with their stories, signature items, events and the way there from the centre."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from api.schemas.common import ATTRIBUTION, ResponseModel
from api.schemas.events import EventResponse
from api.schemas.places import PlaceResponse

StoryStatus = Literal["verified", "draft", "none yet"]


class CommuneSummary(ResponseModel):
    """A unit in the list: its names, kind, population and whether it has a story."""

    id: str
    name: str
    name_en: str | None
    kind: Literal["ward", "commune"]
    osm_relation: int
    population: int | None
    status: StoryStatus
    product: str | None = Field(description="Its cultural product, in the answer's language, when it has a story.")
    place_ids: list[str] = Field(description="Catalogue places linked to its signature items.")


class CommuneListResponse(ResponseModel):
    """All 126 units, with counts by story status."""

    communes: list[CommuneSummary]
    counts: dict[str, int]
    attribution: str = ATTRIBUTION


class SignatureItemResponse(ResponseModel):
    """A craft, dish, festival or site the unit is known for."""

    kind: Literal["craft", "dish", "festival", "site"]
    name: str
    name_en: str
    name_vi: str
    place_id: str | None
    event_id: str | None


class StoryResponse(ResponseModel):
    """The story in both languages (plain text, never markup) and its sources."""

    status: Literal["verified", "draft"]
    product_en: str
    product_vi: str
    history_en: str
    history_vi: str
    visit_en: str
    visit_vi: str
    sources: list[str]


class GettingThere(ResponseModel):
    """The public-transport journey from Hoàn Kiếm Lake at 09:00 to the unit's first signature place."""

    from_place: str
    depart: str
    place_id: str
    status: str
    duration_min: float | None
    rides: int | None
    lines: list[str]
    message: str


class CommuneResponse(CommuneSummary):
    """One unit: its story, signature items, their places, its events this year and next, and the way there."""

    story: StoryResponse | None
    items: list[SignatureItemResponse]
    places: list[PlaceResponse]
    events: list[EventResponse]
    getting_there: GettingThere | None
