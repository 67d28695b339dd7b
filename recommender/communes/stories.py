"""Each ward's and commune's story: its cultural product, a short history, what a visitor does, its signature items.

Stories are curated in ``data/communes/stories.json`` only from sources a reader can check; a unit without one is
``none yet`` (never an invented story). A ``verified`` story cites its sources and links at least one signature item
to a catalogue place; a ``draft`` one still waits for a checked source. Editors change stories through revisions
that a moderator approves (``api/store/communes.py``); an approved revision replaces the shipped story.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Final, Literal

from pydantic import BaseModel, ConfigDict, Field, HttpUrl, ValidationError, model_validator

from recommender.catalogue import ID_PATTERN
from recommender.communes.text import StoryText, Title
from recommender.errors import RecommenderError
from recommender.wards import Ward, Wards, default_wards

__all__ = [
    "DEFAULT_STORIES_PATH",
    "Commune",
    "SignatureItem",
    "StoriesError",
    "Story",
    "StoryStatus",
    "communes",
    "default_stories",
    "load_stories",
]

DEFAULT_STORIES_PATH: Final[Path] = Path(__file__).resolve().parents[2] / "data" / "communes" / "stories.json"
StoryStatus = Literal["verified", "draft", "none yet"]


class StoriesError(RecommenderError):
    """The stories file is missing or invalid, or names a unit that does not exist."""


class SignatureItem(BaseModel):
    """A craft, dish, festival or site the unit is known for, linked to a catalogue place when there is one."""

    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)

    kind: Literal["craft", "dish", "festival", "site"]
    name_en: Title
    name_vi: Title
    place_id: Annotated[str | None, Field(pattern=ID_PATTERN, max_length=80)] = None
    event_id: Annotated[str | None, Field(pattern=ID_PATTERN, max_length=80)] = None


class Story(BaseModel):
    """A unit's story in Vietnamese and English, with its signature items and sources.

    Raises
    ------
    pydantic.ValidationError
        On construction, naming the field: a text over the size limit or holding markup, a ``verified`` story
        without sources or without an item linked to a place.
    """

    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)

    status: Literal["verified", "draft"]
    product_en: Title
    product_vi: Title
    history_en: StoryText
    history_vi: StoryText
    visit_en: StoryText
    visit_vi: StoryText
    items: Annotated[tuple[SignatureItem, ...], Field(min_length=1, max_length=20)]
    sources: Annotated[tuple[HttpUrl, ...], Field(max_length=10)] = ()

    @model_validator(mode="after")
    def _check_verified(self) -> Story:
        if self.status == "verified":
            if not self.sources:
                raise ValueError("sources: a verified story cites at least one source a reader can check")
            if not self.place_ids:
                raise ValueError("items: a verified story links at least one item to a catalogue place")
        return self

    @property
    def place_ids(self) -> tuple[str, ...]:
        """The catalogue places of its items, in order, each once."""
        return tuple(dict.fromkeys(item.place_id for item in self.items if item.place_id is not None))


@dataclass(frozen=True)
class Commune:
    """A unit with its story (``None``: none yet)."""

    ward: Ward
    story: Story | None

    @property
    def status(self) -> StoryStatus:
        """``verified``, ``draft`` or ``none yet``."""
        return self.story.status if self.story is not None else "none yet"


def load_stories(path: Path, wards: Wards) -> dict[str, Story]:
    """Read the stories file (a JSON object with ``stories``: unit id -> story).

    Raises
    ------
    StoriesError
        If the file is missing or not JSON, a story is invalid, or its unit is not one of ``wards``.
    """
    try:
        records = json.loads(path.read_text(encoding="utf-8"))["stories"]
        items = records.items()
    except FileNotFoundError as exc:
        raise StoriesError(f"{path}: no such stories file") from exc
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise StoriesError(f"{path}: not a stories file ({exc})") from exc
    stories: dict[str, Story] = {}
    for unit_id, record in items:
        if unit_id not in wards:
            raise StoriesError(f"{path}: {unit_id!r} is not one of the {len(wards)} wards and communes")
        try:
            stories[unit_id] = Story.model_validate(record)
        except ValidationError as exc:
            raise StoriesError(f"{path}: the story of {unit_id!r} is invalid: {exc}") from exc
    return stories


@lru_cache(maxsize=1)
def default_stories() -> Mapping[str, Story]:
    """The shipped stories, by unit id (read once per process)."""
    return load_stories(DEFAULT_STORIES_PATH, default_wards())


def communes(wards: Wards, stories: Mapping[str, Story]) -> Iterator[Commune]:
    """Every unit, in the wards file's order, with its story when it has one."""
    for ward in wards:
        yield Commune(ward, stories.get(ward.id))
