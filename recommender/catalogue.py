"""The place catalogue: a validated model of ``data/places/catalogue.csv``, its loader and a small search.

The file is UTF-8 CSV (RFC 4180 quoting) with a header row and exactly the columns in :data:`COLUMNS`.
List-valued columns (``categories``, ``dishes``) are ``;``-separated; booleans are ``true``/``false``.
Every row is checked when the file is loaded; the first problems found are reported as a
:class:`CatalogueError` that names the file, the line and the field, so the file can be fixed by hand.

``part_of`` holds the id of the place whose visit includes this one (the Well of Heavenly Clarity is part of
the Temple of Literature), or is empty. Once every row is valid, the links are checked: the parent exists, is
not the place itself, no chain of parents loops, and the child lies within :data:`PART_OF_MAX_DISTANCE_M` of its
parent. :meth:`Catalogue.children`, :meth:`Catalogue.parent` and friends answer "what is inside X" and "what is
X inside".
"""

from __future__ import annotations

import csv
import difflib
import hashlib
import io
import json
import math
import re
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from enum import StrEnum
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any, Final, Literal, cast

from opening_hours import OpeningHours
from pydantic import BaseModel, ConfigDict, Field, ValidationError, ValidationInfo, field_validator, model_validator

from recommender.errors import RecommenderError
from recommender.taxonomy import HANOI_BBOX, Category, Dish, District
from recommender.wards import UNIT_COUNT, Ward, default_wards
from routing import haversine_m

__all__ = [
    "COLUMNS",
    "DEFAULT_CATALOGUE_PATH",
    "PART_OF_MAX_DISTANCE_M",
    "Catalogue",
    "CatalogueError",
    "Place",
    "UnknownPlaceError",
    "load_catalogue",
    "normalize_text",
    "part_of_problems",
    "ward_problems",
]

COLUMNS: Final[tuple[str, ...]] = (
    "id",
    "name_vi",
    "name_en",
    "categories",
    "dishes",
    "lat",
    "lon",
    "coord_source",
    "ward",
    "former_district",
    "part_of",
    "opening_hours",
    "hours_source",
    "visit_min",
    "price_vnd",
    "indoor",
    "family_friendly",
    "popularity",
    "status",
    "visiting",
    "how_to_visit_en",
    "how_to_visit_vi",
    "description_en",
    "description_vi",
)
"""The columns of ``catalogue.csv``, in file order."""

DEFAULT_CATALOGUE_PATH: Final[Path] = Path(__file__).resolve().parent.parent / "data" / "places" / "catalogue.csv"
"""The catalogue shipped with the project."""

ID_PATTERN: Final[str] = r"^[a-z0-9]+(-[a-z0-9]+)*$"
COORD_SOURCE_PATTERN: Final[str] = r"^(osm:(node|way|relation)/\d+|ref:[a-z0-9]+(-[a-z0-9]+)*|estimated:\d+)$"
"""Where a coordinate comes from: an OSM element (``osm:node/123``; a way or relation gives its centre), a named
reference listed in ``docs/DATA.md`` (``ref:sights-reference-30``), or an estimate with its accuracy in metres
(``estimated:300``)."""
Status = Literal["verified", "listed", "unverified"]
"""``verified``: the place and its point were checked against a named source (an OSM element of that name at that point,
or a reference); ``listed``: carried over from the hand-made catalogue, not re-checked; ``unverified``: checked, and the
truth could not be established (kept out of default plans)."""
OsmKind = Literal["node", "way", "relation"]
"""The kinds of OSM element a coordinate may come from."""
Visiting = Literal["regular", "events-only", "by-appointment"]
"""How a traveller can visit: in its opening hours, only during announced events, or by arrangement."""
HoursSource = Literal["source", "listed", "estimated"]
"""Where ``opening_hours`` comes from: the place's source, the earlier hand-made catalogue, or an estimate."""
PART_OF_MAX_DISTANCE_M: Final[float] = 1500.0
"""How far (great-circle metres) a place may lie from the place it is part of; farther is taken for a typo."""
_MAX_REPORTED_PROBLEMS: Final[int] = 3


class CatalogueError(RecommenderError):
    """The place catalogue file is missing or invalid.

    Attributes
    ----------
    path : Path
        The catalogue file.
    row : int or None
        The 1-based line number in the file where the problem is (the header is line 1), or ``None``
        when the problem is with the file as a whole.
    field : str or None
        The column at fault, or ``None`` when the problem is not with one column.
    """

    def __init__(self, message: str, *, path: Path, row: int | None = None, field: str | None = None) -> None:
        super().__init__(message)
        self.path = path
        self.row = row
        self.field = field


class UnknownPlaceError(RecommenderError):
    """No place in the catalogue has the requested id.

    Attributes
    ----------
    place_id : str
        The id that was asked for.
    suggestions : tuple of str
        Ids of places that look like what was meant, best first (possibly empty).
    """

    def __init__(self, place_id: str, suggestions: Sequence[str] = ()) -> None:
        self.place_id = place_id
        self.suggestions = tuple(suggestions)
        message = f"unknown place id {place_id!r}"
        if self.suggestions:
            message += "; did you mean " + " or ".join(repr(s) for s in self.suggestions) + "?"
        super().__init__(message)


def normalize_text(text: str) -> str:
    """Fold text for accent-insensitive matching.

    Lower-cases, removes Vietnamese diacritics (``đ`` becomes ``d``) and turns every run of characters
    that are not letters or digits into one space, so ``"Phở Thìn"`` gives ``"pho thin"`` and
    ``"bun_cha"`` gives ``"bun cha"``.
    """
    text = text.replace("đ", "d").replace("Đ", "D")
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(char for char in decomposed if not unicodedata.combining(char))
    return re.sub(r"[\W_]+", " ", stripped.casefold()).strip()


@lru_cache(maxsize=4096)
def _parse_opening_hours(text: str) -> OpeningHours:
    return OpeningHours(text)


def _describe_parser_error(exc: Exception) -> str:
    """Squeeze the multi-line message of the opening-hours parser into one clause."""
    lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
    position = next((line.removeprefix("-->").strip() for line in lines if line.startswith("-->")), None)
    expected = next((line.removeprefix("=").strip() for line in lines if line.startswith("=")), None)
    parts = []
    if position is not None:
        parts.append(f"at line:column {position}")
    if expected is not None:
        parts.append(expected)
    return ", ".join(parts) if parts else (lines[0] if lines else type(exc).__name__)


def _split_list(value: object) -> object:
    """Turn ``"a;b"`` into ``["a", "b"]`` (empty items dropped); leave lists and tuples alone."""
    if isinstance(value, str):
        return [item.strip() for item in value.split(";") if item.strip()]
    return value


def _parse_bool(value: object) -> object:
    if isinstance(value, str):
        lowered = value.strip().lower()
        if lowered == "true":
            return True
        if lowered == "false":
            return False
        raise ValueError(f"{value!r} is not a boolean; write true or false")
    return value


def _check_members(value: object, allowed: type[StrEnum], label: str) -> object:
    """Split a ``;`` list and check each item is a member of ``allowed`` and none repeats."""
    items = _split_list(value)
    if not isinstance(items, list | tuple):
        return items
    names = [member.value for member in allowed]
    for item in items:
        if isinstance(item, str) and item not in names:
            raise ValueError(f"unknown {label} {item!r}; allowed: {', '.join(names)}")
    if len(set(items)) != len(items):
        raise ValueError(f"a {label} is listed twice")
    return items


WARDS_CHECKED: Final[str] = "wards_checked"
"""Validation context key: the records' wards were checked against the polygons already (a city bundle's places,
checked when the bundle was built; its hashes are verified on load), so loading them need not read the polygons."""


class Place(BaseModel):
    """One place of the catalogue (one row of ``catalogue.csv``).

    Built from a CSV row (strings, ``;``-separated lists, ``true``/``false``) or from the output of
    ``model_dump(mode="json")``. Invalid input raises :class:`pydantic.ValidationError`; the loader turns
    that into a :class:`CatalogueError`.
    """

    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)

    id: Annotated[str, Field(pattern=ID_PATTERN, max_length=80)]
    name_vi: Annotated[str, Field(min_length=1, max_length=160)]
    name_en: Annotated[str, Field(min_length=1, max_length=160)]
    categories: Annotated[tuple[Category, ...], Field(min_length=1)]
    dishes: tuple[Dish, ...] = ()
    lat: float
    lon: float
    coord_source: Annotated[str, Field(pattern=COORD_SOURCE_PATTERN)]
    ward: Annotated[str, Field(pattern=ID_PATTERN, max_length=80)]
    """The id of the 2025 ward or commune whose polygon holds the point (see :mod:`recommender.wards`)."""
    former_district: District | None = None
    """The district (quận/huyện) of before 1 July 2025, kept for old addresses; ``None`` when not recorded."""
    part_of: Annotated[str | None, Field(pattern=ID_PATTERN, max_length=80)] = None
    """The id of the place whose grounds, building or street hold this one, or ``None``."""
    opening_hours: Annotated[str, Field(min_length=1)]
    hours_source: HoursSource = "listed"
    visit_min: Annotated[int, Field(ge=10, le=480)]
    price_vnd: Annotated[int, Field(ge=0)]
    indoor: bool
    family_friendly: bool
    popularity: Annotated[float, Field(ge=0.0, le=1.0)]
    status: Status = "listed"
    visiting: Visiting = "regular"
    how_to_visit_en: Annotated[str, Field(max_length=300)] = ""
    """For a place not visited in ordinary opening hours: how to visit it (English); empty otherwise."""
    how_to_visit_vi: Annotated[str, Field(max_length=300)] = ""
    description_en: Annotated[str, Field(min_length=20, max_length=300)]
    description_vi: Annotated[str, Field(min_length=20, max_length=300)]

    @field_validator("categories", mode="before")
    @classmethod
    def _check_categories(cls, value: object) -> object:
        return _check_members(value, Category, "category")

    @field_validator("dishes", mode="before")
    @classmethod
    def _check_dish_names(cls, value: object) -> object:
        return _check_members(value, Dish, "dish")

    @field_validator("dishes")
    @classmethod
    def _cuisine_needs_dishes(cls, value: tuple[Dish, ...], info: ValidationInfo) -> tuple[Dish, ...]:
        categories = info.data.get("categories", ())
        if Category.CUISINE in categories and not value:
            raise ValueError("a place in category 'cuisine' needs at least one dish")
        return value

    @field_validator("ward")
    @classmethod
    def _known_ward(cls, value: str, info: ValidationInfo) -> str:
        if (info.context or {}).get(WARDS_CHECKED):
            return value
        if value not in default_wards():
            raise ValueError(f"{value!r} is not the id of one of Hanoi's {UNIT_COUNT} wards and communes of 2025")
        return value

    @field_validator("former_district", mode="before")
    @classmethod
    def _empty_district_is_none(cls, value: object) -> object:
        if isinstance(value, str) and not value.strip():
            return None
        return value

    @model_validator(mode="after")
    def _how_to_visit_when_not_regular(self) -> Place:
        if self.visiting != "regular" and not (self.how_to_visit_en and self.how_to_visit_vi):
            raise ValueError(f"a place visited {self.visiting} needs how_to_visit_en and how_to_visit_vi")
        return self

    @field_validator("part_of", mode="before")
    @classmethod
    def _empty_part_of_is_none(cls, value: object) -> object:
        if isinstance(value, str) and not value.strip():
            return None
        return value

    @field_validator("part_of")
    @classmethod
    def _not_part_of_itself(cls, value: str | None, info: ValidationInfo) -> str | None:
        if value is not None and value == info.data.get("id"):
            raise ValueError(f"a place cannot be part of itself ({value!r})")
        return value

    @field_validator("lat", "lon")
    @classmethod
    def _in_hanoi(cls, value: float, info: ValidationInfo) -> float:
        box = HANOI_BBOX
        low, high = (box.south, box.north) if info.field_name == "lat" else (box.west, box.east)
        if not math.isfinite(value) or not low <= value <= high:
            raise ValueError(f"{value} is outside Hanoi ({box.describe()})")
        return value

    @field_validator("opening_hours")
    @classmethod
    def _opening_hours_parse(cls, value: str) -> str:
        try:
            _parse_opening_hours(value)
        except Exception as exc:  # the parser raises its own ParserError (an Exception subclass)
            reason = _describe_parser_error(exc)
            raise ValueError(f"{value!r} is not valid OSM opening_hours syntax ({reason})") from exc
        return value

    @field_validator("indoor", "family_friendly", mode="before")
    @classmethod
    def _strict_bool(cls, value: object) -> object:
        return _parse_bool(value)

    @property
    def plannable(self) -> bool:
        """Whether default plans may pick the place: not ``unverified`` and visited in ordinary opening hours."""
        return self.status != "unverified" and self.visiting == "regular"

    @property
    def ward_unit(self) -> Ward:
        """The 2025 ward or commune the place lies in."""
        return default_wards().get(self.ward)

    @property
    def coord_accuracy_m(self) -> float | None:
        """The stated accuracy of an estimated coordinate in metres; ``None`` for OSM and referenced points."""
        if self.coord_source.startswith("estimated:"):
            return float(self.coord_source.removeprefix("estimated:"))
        return None

    @property
    def osm_element(self) -> tuple[OsmKind, int] | None:
        """``("node", 1)``, ``("way", 2)`` or ``("relation", 3)`` when the coordinates come from OSM, else ``None``."""
        if not self.coord_source.startswith("osm:"):
            return None
        kind, _, number = self.coord_source.removeprefix("osm:").partition("/")
        return cast(OsmKind, kind), int(number)

    def hours(self) -> OpeningHours:
        """The parsed opening hours (cached per distinct expression)."""
        return _parse_opening_hours(self.opening_hours)

    def to_row(self) -> dict[str, str]:
        """The place as a CSV row: strings keyed by :data:`COLUMNS`."""
        return {
            "id": self.id,
            "name_vi": self.name_vi,
            "name_en": self.name_en,
            "categories": ";".join(category.value for category in self.categories),
            "dishes": ";".join(dish.value for dish in self.dishes),
            "lat": f"{self.lat:.7f}",
            "lon": f"{self.lon:.7f}",
            "coord_source": self.coord_source,
            "ward": self.ward,
            "former_district": self.former_district.value if self.former_district else "",
            "part_of": self.part_of or "",
            "opening_hours": self.opening_hours,
            "hours_source": self.hours_source,
            "visit_min": str(self.visit_min),
            "price_vnd": str(self.price_vnd),
            "indoor": "true" if self.indoor else "false",
            "family_friendly": "true" if self.family_friendly else "false",
            "popularity": f"{self.popularity:g}",
            "status": self.status,
            "visiting": self.visiting,
            "how_to_visit_en": self.how_to_visit_en,
            "how_to_visit_vi": self.how_to_visit_vi,
            "description_en": self.description_en,
            "description_vi": self.description_vi,
        }


class _Indexed:
    """The folded text of one place, prepared once for :meth:`Catalogue.search`."""

    __slots__ = ("dish_phrases", "names", "place", "tokens")

    def __init__(self, place: Place) -> None:
        self.place = place
        self.names = (normalize_text(place.name_vi), normalize_text(place.name_en), normalize_text(place.id))
        self.dish_phrases = tuple(normalize_text(dish.value) for dish in place.dishes)
        district = place.former_district.value if place.former_district else ""
        ward = place.ward_unit
        haystack = " ".join(
            (*self.names, normalize_text(district), normalize_text(ward.short_name), *self.dish_phrases)
        )
        self.tokens = frozenset(haystack.split())

    def score(self, query: str, query_tokens: Sequence[str]) -> int:
        """How well the place matches (0: not at all); ``query`` is folded, ``query_tokens`` its words."""
        if not all(self._has_token(token) for token in query_tokens):
            return 0
        score = 1
        if query in self.names:
            score += 100
        elif any(name.startswith(query) for name in self.names):
            score += 50
        elif any(f" {query}" in f" {name}" for name in self.names):
            score += 20
        if query in self.dish_phrases:
            score += 60
        return score

    def _has_token(self, token: str) -> bool:
        if token in self.tokens:
            return True
        # Words of four letters or more also match as a prefix ("ethno" finds "ethnology").
        return len(token) >= 4 and any(candidate.startswith(token) for candidate in self.tokens)


class Catalogue:
    """The validated places, indexed by id.

    Parameters
    ----------
    places : iterable of Place
        The places, in file order.
    path : Path, optional
        The file they were read from (used in messages).
    sha256 : str, optional
        Hex SHA-256 of the file's bytes; when omitted, a hash of the places' JSON form is used.

    Raises
    ------
    CatalogueError
        If two places share an id, or a ``part_of`` link is broken (see :func:`part_of_problems`).
    """

    __slots__ = ("_by_id", "_children", "_index", "path", "places", "sha256")

    def __init__(self, places: Iterable[Place], *, path: Path | None = None, sha256: str | None = None) -> None:
        self.places: tuple[Place, ...] = tuple(places)
        self.path = path
        by_id: dict[str, Place] = {}
        for place in self.places:
            if place.id in by_id:
                raise CatalogueError(
                    f"{path or '<catalogue>'}: duplicate id {place.id!r}", path=path or Path(), field="id"
                )
            by_id[place.id] = place
        self._by_id = by_id
        problems = part_of_problems(self.places)
        if problems:
            place, message = problems[0]
            raise CatalogueError(
                f"{path or '<catalogue>'}: place {place.id!r}, field 'part_of': {message}",
                path=path or Path(),
                field="part_of",
            )
        children: dict[str, list[Place]] = {}
        for place in self.places:
            if place.part_of is not None:
                children.setdefault(place.part_of, []).append(place)
        self._children = {parent_id: tuple(inside) for parent_id, inside in children.items()}
        self._index: tuple[_Indexed, ...] | None = None  # built on the first search (it reads the ward names)
        if sha256 is None:
            payload = json.dumps([p.model_dump(mode="json") for p in self.places], ensure_ascii=False, sort_keys=True)
            sha256 = hashlib.sha256(payload.encode("utf-8")).hexdigest()
        self.sha256 = sha256

    @classmethod
    def from_places(cls, places: Iterable[Place]) -> Catalogue:
        """A catalogue of already validated places (e.g. rebuilt from a bundle).

        Raises
        ------
        CatalogueError
            If two places share an id or a ``part_of`` link is broken.
        """
        return cls(places)

    def __len__(self) -> int:
        return len(self.places)

    def __iter__(self) -> Iterator[Place]:
        return iter(self.places)

    def __contains__(self, place_id: object) -> bool:
        return place_id in self._by_id

    def __repr__(self) -> str:
        return f"Catalogue({len(self.places)} places, sha256={self.sha256[:12]}...)"

    def get(self, place_id: str) -> Place:
        """The place with this id.

        Raises
        ------
        UnknownPlaceError
            If there is none; the error carries up to three suggestions (places whose names or ids match
            the text, then ids that are spelled alike).
        """
        place = self._by_id.get(place_id)
        if place is not None:
            return place
        suggestions = [found.id for found in self.search(place_id, limit=3)]
        for close in difflib.get_close_matches(place_id, list(self._by_id), n=3, cutoff=0.6):
            if close not in suggestions:
                suggestions.append(close)
        raise UnknownPlaceError(place_id, suggestions[:3])

    def parent(self, place_id: str) -> Place | None:
        """The place this one is part of (``part_of``), or ``None`` when it stands on its own.

        Raises
        ------
        UnknownPlaceError
            If no place has this id.
        """
        place = self.get(place_id)
        return None if place.part_of is None else self._by_id[place.part_of]

    def children(self, place_id: str) -> tuple[Place, ...]:
        """The places directly part of this one, in file order (empty for most places).

        Raises
        ------
        UnknownPlaceError
            If no place has this id.
        """
        if place_id not in self._by_id:
            self.get(place_id)  # raises, with suggestions
        return self._children.get(place_id, ())

    def ancestors(self, place_id: str) -> tuple[Place, ...]:
        """The places this one lies inside, nearest first (its parent, that parent's parent...).

        Raises
        ------
        UnknownPlaceError
            If no place has this id.
        """
        found: list[Place] = []
        parent = self.parent(place_id)
        while parent is not None:
            found.append(parent)
            parent = None if parent.part_of is None else self._by_id[parent.part_of]
        return tuple(found)

    def descendants(self, place_id: str) -> tuple[Place, ...]:
        """Every place inside this one, children before grandchildren's siblings (depth first, file order).

        Raises
        ------
        UnknownPlaceError
            If no place has this id.
        """
        found: list[Place] = []
        stack = list(reversed(self.children(place_id)))
        while stack:
            place = stack.pop()
            found.append(place)
            stack.extend(reversed(self._children.get(place.id, ())))
        return tuple(found)

    def contains(self, outer_id: str, inner_id: str) -> bool:
        """Whether ``inner_id`` lies inside ``outer_id`` (directly or through intermediate places).

        A place does not contain itself. A plan should not list two places when one contains the other.

        Raises
        ------
        UnknownPlaceError
            If either id is unknown.
        """
        self.get(outer_id)
        return any(place.id == outer_id for place in self.ancestors(inner_id))

    def search(
        self,
        query: str | None = None,
        *,
        category: Category | None = None,
        ward: str | None = None,
        limit: int | None = None,
    ) -> list[Place]:
        """Places matching a text and/or a category, best first.

        The text is matched without regard to case or diacritics (``"pho"`` finds ``"Phở"``, ``"hoan kiem"``
        finds ``"Hoàn Kiếm"``) against names, ids, districts and dishes: every word of the query must occur
        there (words of four letters or more may be the start of a word). Exact name matches come first,
        then names starting with the query, then places serving the dish named, then other matches; ties
        go to the more popular place. Without a query, places are ranked by popularity alone.

        Parameters
        ----------
        query : str, optional
            Free text; ``None`` or blank matches every place.
        category : Category, optional
            Keep only places in this category.
        ward : str, optional
            Keep only places in this 2025 ward or commune: its id, its name (accents and ``Phường``/``Xã``
            optional) or its OSM relation id.
        limit : int, optional
            Return at most this many places.

        Raises
        ------
        ValueError
            If ``limit`` is negative.
        recommender.wards.UnknownWardError
            If ``ward`` names no ward or commune.
        """
        if limit is not None and limit < 0:
            raise ValueError(f"limit must be >= 0, got {limit}")
        ward_id = default_wards().find(ward).id if ward is not None else None
        folded = normalize_text(query or "")
        tokens = folded.split()
        scored: list[tuple[int, float, str, Place]] = []
        if self._index is None:
            self._index = tuple(_Indexed(place) for place in self.places)
        for entry in self._index:
            place = entry.place
            if category is not None and category not in place.categories:
                continue
            if ward_id is not None and place.ward != ward_id:
                continue
            score = entry.score(folded, tokens) if tokens else 1
            if score:
                scored.append((-score, -place.popularity, place.id, place))
        scored.sort(key=lambda item: item[:3])
        found = [item[3] for item in scored]
        return found if limit is None else found[:limit]

    def count_by_category(self) -> dict[str, int]:
        """How many places are in each category (every category listed, in taxonomy order)."""
        counts = {category.value: 0 for category in Category}
        for place in self.places:
            for category in place.categories:
                counts[category.value] += 1
        return counts


def part_of_problems(places: Sequence[Place]) -> list[tuple[Place, str]]:
    """The broken ``part_of`` links among places with distinct ids, in file order.

    A link is broken when the parent id is not in ``places``, when following parents comes back to the
    place (a cycle; reported once, at its first place in file order), or when the place lies more than
    :data:`PART_OF_MAX_DISTANCE_M` from its parent. (A place naming itself is rejected by :class:`Place`.)

    Returns
    -------
    list of (Place, str)
        The place at fault and a sentence saying what is wrong; empty when every link is sound.
    """
    by_id = {place.id: place for place in places}
    problems: list[tuple[Place, str]] = []
    on_reported_cycle: set[str] = set()
    for place in places:
        if place.part_of is None:
            continue
        parent = by_id.get(place.part_of)
        if parent is None:
            close = difflib.get_close_matches(place.part_of, list(by_id), n=1, cutoff=0.6)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            problems.append((place, f"{place.part_of!r} is not the id of any place in the catalogue{hint}"))
            continue
        chain = [place.id]
        current: Place | None = parent
        while current is not None and current.id not in chain:
            chain.append(current.id)
            current = by_id.get(current.part_of) if current.part_of is not None else None
        if current is not None and current.id == place.id:
            if place.id not in on_reported_cycle:
                on_reported_cycle.update(chain)
                problems.append((place, f"the part_of links make a cycle: {' -> '.join([*chain, place.id])}"))
            continue
        distance_m = float(haversine_m(place.lat, place.lon, parent.lat, parent.lon))
        if distance_m > PART_OF_MAX_DISTANCE_M:
            problems.append(
                (
                    place,
                    f"the place lies {distance_m / 1000:.1f} km from {parent.id!r}, which it is said to be part of"
                    f" (at most {PART_OF_MAX_DISTANCE_M / 1000:g} km allowed; check the id or the coordinates)",
                )
            )
    return problems


def ward_problems(places: Sequence[Place]) -> list[tuple[Place, str]]:
    """The places whose ``ward`` is not the 2025 unit whose polygon holds their point, in file order.

    Returns
    -------
    list of (Place, str)
        The place at fault and a sentence naming the unit the point lies in; empty when every ward is right.
    """
    wards = default_wards()
    problems: list[tuple[Place, str]] = []
    for place in places:
        unit = wards.get(place.ward)
        if unit.contains(place.lat, place.lon):
            continue
        found = wards.locate(place.lat, place.lon)
        where = f"lies in {found.id!r} ({found.name})" if found else "lies in none of Hanoi's wards and communes"
        problems.append((place, f"the point {place.lat:.7f},{place.lon:.7f} {where}, not in {unit.id!r} ({unit.name})"))
    return problems


def _row_label(path: Path, line: int, place_id: str | None) -> str:
    label = f"{path}, line {line}"
    if place_id:
        label += f" (id {place_id!r})"
    return label


def _describe_validation_error(exc: ValidationError) -> tuple[str | None, str]:
    """The field and a readable sentence for the first error pydantic reported."""
    error = exc.errors(include_url=False)[0]
    field = str(error["loc"][0]) if error["loc"] else None
    message = str(error["msg"]).removeprefix("Value error, ")
    if error["type"] != "value_error":
        message = f"{message} (got {error['input']!r})"
    return field, message


def _read_rows(path: Path, text: str) -> Iterator[tuple[int, list[str]]]:
    """Yield ``(first line number, fields)`` for every non-blank record after the header."""
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    previous_end = 1  # the header is line 1
    try:
        next(reader)
        for fields in reader:
            start, previous_end = previous_end + 1, reader.line_num
            if not any(field.strip() for field in fields):
                continue
            yield start, fields
    except csv.Error as exc:
        raise CatalogueError(
            f"{path}, line {reader.line_num}: not valid CSV ({exc})", path=path, row=reader.line_num
        ) from exc


def _check_header(path: Path, text: str) -> None:
    try:
        header = next(csv.reader(io.StringIO(text, newline="")), [])
    except csv.Error as exc:
        raise CatalogueError(f"{path}, line 1: not valid CSV ({exc})", path=path, row=1) from exc
    header = [name.strip() for name in header]
    if header == list(COLUMNS):
        return
    missing = [name for name in COLUMNS if name not in header]
    extra = [name for name in header if name not in COLUMNS]
    duplicated = sorted({name for name in header if header.count(name) > 1})
    problems = []
    if missing:
        problems.append("missing column(s) " + ", ".join(repr(name) for name in missing))
    if extra:
        problems.append("unexpected column(s) " + ", ".join(repr(name) for name in extra))
    if duplicated:
        problems.append("repeated column(s) " + ", ".join(repr(name) for name in duplicated))
    if not problems:
        problems.append("columns out of order")
    culprits = missing or extra or duplicated
    field = culprits[0] if culprits else None
    raise CatalogueError(
        f"{path}, line 1 (header): {'; '.join(problems)}; expected exactly: {','.join(COLUMNS)}",
        path=path,
        row=1,
        field=field,
    )


def load_catalogue(path: Path) -> Catalogue:
    """Read and validate a place catalogue CSV file.

    Parameters
    ----------
    path : Path
        The CSV file (see the module docstring for its format).

    Returns
    -------
    Catalogue
        Every place, in file order, with the SHA-256 of the file's bytes.

    Raises
    ------
    CatalogueError
        If the file is missing or unreadable, is not UTF-8, lacks or adds columns, or has an invalid row
        (a bad value, an unknown category, dish or ward, coordinates outside Hanoi, a duplicate id...), or, once
        every row is valid, a ``ward`` that is not the unit holding the point, or a broken ``part_of`` link
        (an unknown parent, a cycle, a parent too far away).
        The message names the file, the line and the field of the first problem (and counts the others);
        ``row`` and ``field`` say the same.
    """
    try:
        data = path.read_bytes()
    except FileNotFoundError as exc:
        raise CatalogueError(f"{path}: no such place catalogue file", path=path) from exc
    except OSError as exc:
        raise CatalogueError(f"{path}: cannot read the place catalogue ({exc.strerror or exc})", path=path) from exc
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise CatalogueError(f"{path}, line {line}: not valid UTF-8 ({exc.reason})", path=path, row=line) from exc
    if not text.strip():
        raise CatalogueError(f"{path}: the file is empty; expected a header row", path=path)
    _check_header(path, text)

    places: list[Place] = []
    first_line: dict[str, int] = {}
    problems: list[CatalogueError] = []
    for line, fields in _read_rows(path, text):
        place_id = fields[0].strip() if fields else None
        if len(fields) != len(COLUMNS):
            problems.append(
                CatalogueError(
                    f"{_row_label(path, line, place_id)}: {len(fields)} fields, expected {len(COLUMNS)}"
                    " (is a value with a comma missing its quotes?)",
                    path=path,
                    row=line,
                )
            )
            continue
        record: dict[str, Any] = dict(zip(COLUMNS, fields, strict=True))
        try:
            place = Place.model_validate(record)
        except ValidationError as exc:
            field, message = _describe_validation_error(exc)
            where = _row_label(path, line, place_id)
            problems.append(CatalogueError(f"{where}, field {field!r}: {message}", path=path, row=line, field=field))
            continue
        if place.id in first_line:
            problems.append(
                CatalogueError(
                    f"{_row_label(path, line, place.id)}, field 'id': duplicate id {place.id!r},"
                    f" first used on line {first_line[place.id]}",
                    path=path,
                    row=line,
                    field="id",
                )
            )
            continue
        first_line[place.id] = line
        places.append(place)

    if not problems:
        for place, message in ward_problems(places):
            line = first_line[place.id]
            where = _row_label(path, line, place.id)
            problems.append(CatalogueError(f"{where}, field 'ward': {message}", path=path, row=line, field="ward"))
        for place, message in part_of_problems(places):
            line = first_line[place.id]
            where = _row_label(path, line, place.id)
            problems.append(
                CatalogueError(f"{where}, field 'part_of': {message}", path=path, row=line, field="part_of")
            )
    if problems:
        first = problems[0]
        message = str(first)
        if len(problems) > 1:
            others = ", ".join(f"line {p.row}" for p in problems[1 : _MAX_REPORTED_PROBLEMS + 1])
            more = len(problems) - 1
            message += f" (and {more} more problem{'s' if more > 1 else ''}: {others}{', ...' if more > 3 else ''})"
        raise CatalogueError(message, path=path, row=first.row, field=first.field)
    return Catalogue(places, path=path, sha256=hashlib.sha256(data).hexdigest())
