"""Wards and communes with their stories, signature items, events and the way there from the centre."""

from __future__ import annotations

from typing import Literal

from pydantic import AwareDatetime, Field, StrictBool, model_validator

from api.schemas.common import ATTRIBUTION, InputModel, ResponseModel
from api.schemas.events import EventResponse
from api.schemas.places import PlaceResponse
from recommender.communes.events import Event
from recommender.communes.stories import Story

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


class RevisionCreate(InputModel):
    """A proposed change of one unit: its whole story, or one of its events (exactly one of the two).

    Texts are plain text within their size limits (markup is refused, naming the field); an event's end is not
    before its start and a lunar date exists that year.
    """

    story: Story | None = None
    event: Event | None = None

    @model_validator(mode="after")
    def _one_of(self) -> RevisionCreate:
        if (self.story is None) == (self.event is None):
            raise ValueError("give either story or event")
        return self


class RevisionDecision(InputModel):
    """A moderator's decision: approve (live at once) or reject."""

    approve: StrictBool


class RevisionResponse(ResponseModel):
    """A revision: what was proposed, by whom, and its status (``pending`` until a moderator decides)."""

    id: str
    unit_id: str
    kind: Literal["story", "event"]
    target_id: str | None
    status: Literal["pending", "approved", "rejected"]
    author_id: str
    created_at: AwareDatetime
    decided_by: str | None
    decided_at: AwareDatetime | None
    story: Story | None = Field(None, description="The proposed story, for a story revision.")
    event: Event | None = Field(None, description="The proposed event, for an event revision.")


class RevisionListResponse(ResponseModel):
    """A unit's revisions, newest first."""

    revisions: list[RevisionResponse]


class ChangeResponse(ResponseModel):
    """One line of the change log."""

    at: AwareDatetime
    actor_id: str
    action: Literal["propose", "approve", "reject"]
    unit_id: str
    revision_id: str
    what: str


class ChangeLogResponse(ResponseModel):
    """Every change to a unit, oldest first."""

    changes: list[ChangeResponse]
