"""How much one traveller will value each place: a score per place that explains itself.

The score has three parts, each reported so the planner can say why a visit was chosen:

* **interest**: the traveller's weights on categories (``cuisine 0.8, craft_village 0.5``). A place scores
  its best matching category's weight, plus a quarter of its other matches (a craft village that is also a
  food destination is worth a little more to someone who likes both);
* **popularity**: the catalogue's prior (0..1), how much visitors in general value the place;
* **context**: the day's conditions (rain favours indoor places) and the party (children favour
  family-friendly places).

The mix (``INTEREST_SHARE``) is a prior chosen by hand until feedback exists to learn it from; a place
that matches none of the interests keeps a small share of its popularity so a plan can still be filled
with the city's best-known sights.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Final

from recommender.catalogue import Catalogue, Place
from recommender.errors import RecommenderError
from recommender.messages import Message, term
from recommender.taxonomy import Category

INTEREST_SHARE: Final[float] = 0.75
"""Share of the score given by interests; the rest is popularity."""
UNMATCHED_SHARE: Final[float] = 0.15
"""What a place that matches no interest keeps of its popularity score."""
SECONDARY_MATCH: Final[float] = 0.25
"""Weight of a place's further matching categories beyond its best one."""
SCALE: Final[float] = 100.0
"""Scores run from 0 to about 100 (more for a place matching several strong interests)."""

_RAIN_INDOOR: Final[float] = 1.25
_RAIN_OUTDOOR: Final[float] = 0.6
_CHILDREN_FRIENDLY: Final[float] = 1.15
_CHILDREN_UNFRIENDLY: Final[float] = 0.4

_ALIASES: Final[dict[str, Category]] = {
    "food": Category.CUISINE,
    "craft": Category.CRAFT_VILLAGE,
    "crafts": Category.CRAFT_VILLAGE,
    "history": Category.HERITAGE,
    "art": Category.CI_CENTRE,
    "arts": Category.CI_CENTRE,
    "temples": Category.SPIRITUAL,
    "pagodas": Category.SPIRITUAL,
    "museums": Category.MUSEUM,
    "markets": Category.MARKET,
    "shows": Category.PERFORMING_ARTS,
    "parks": Category.NATURE,
}
"""Everyday words the app may send for a category."""


def category_label(category: Category) -> Message:
    """What a place of ``category`` is called in a reason (``craft village``), in either language."""
    return term(f"category.{category.value}")


class UnknownInterestError(RecommenderError):
    """An interest that is not a category (nor an everyday word for one).

    Attributes
    ----------
    interest : str
        What was asked for.
    suggestions : tuple of str
        Categories that look like what was meant.
    """

    field = "interests"

    def __init__(self, interest: str, suggestions: Iterable[str] = ()) -> None:
        self.interest = interest
        self.suggestions = tuple(suggestions)
        known = ", ".join(category.value for category in Category)
        hint = f"; did you mean {' or '.join(repr(s) for s in self.suggestions)}?" if self.suggestions else ""
        super().__init__(f"unknown interest {interest!r}{hint} (interests are: {known})")


class InvalidInterestWeightError(RecommenderError):
    """An interest weight outside 0..1."""

    field = "interests"


class Weather(StrEnum):
    """The day's weather as far as the choice of places is concerned."""

    CLEAR = "clear"
    RAIN = "rain"


@dataclass(frozen=True)
class Interests:
    """The traveller's weight (0..1) on each category; categories not named weigh 0."""

    weights: Mapping[Category, float]

    @classmethod
    def parse(cls, values: Mapping[str, float] | Iterable[str]) -> Interests:
        """Interests from ``{"cuisine": 0.8}`` or a plain list (each weighing 1.0); everyday aliases allowed.

        Raises
        ------
        UnknownInterestError
            For a name that is neither a category nor an alias (with suggestions).
        InvalidInterestWeightError
            For a weight that is not a number in 0..1.
        """
        pairs = values.items() if isinstance(values, Mapping) else ((name, 1.0) for name in values)
        weights: dict[Category, float] = {}
        for raw_name, raw_weight in pairs:
            category = _category(raw_name)
            weight = float(raw_weight)
            if not 0.0 <= weight <= 1.0:
                raise InvalidInterestWeightError(f"interest {raw_name!r} has weight {raw_weight}; weights run 0..1")
            weights[category] = max(weight, weights.get(category, 0.0))
        return cls(weights)

    def weight(self, category: Category) -> float:
        """The weight of one category (0 when not named)."""
        return self.weights.get(category, 0.0)

    @property
    def likes_food(self) -> bool:
        """Whether meals should be chosen as visits to food places the traveller will enjoy."""
        return self.weight(Category.CUISINE) > 0.0


@dataclass(frozen=True)
class Context:
    """The conditions of the trip that change how places are valued."""

    weather: Weather = Weather.CLEAR
    with_children: bool = False


@dataclass(frozen=True)
class PlaceScore:
    """A place's score and its parts, with the few words that explain it."""

    place_id: str
    score: float
    interest: float
    popularity: float
    context_factor: float
    reasons: tuple[str, ...]
    collaborative: float | None = None

    def to_dict(self) -> dict[str, object]:
        """JSON-ready fields (parts rounded to 0.01; ``collaborative`` only from a learnt model)."""
        parts: dict[str, object] = {
            "score": round(self.score, 2),
            "interest": round(self.interest, 3),
            "popularity": round(self.popularity, 3),
            "context_factor": round(self.context_factor, 3),
            "reasons": list(self.reasons),
        }
        if self.collaborative is not None:
            parts["collaborative"] = round(self.collaborative, 3)
        return parts


def score_places(catalogue: Catalogue, interests: Interests, *, context: Context | None = None) -> list[PlaceScore]:
    """Score every catalogue place for one traveller, in catalogue order."""
    conditions = context or Context()
    return [score_place(place, interests, conditions) for place in catalogue.places]


def score_place(place: Place, interests: Interests, context: Context) -> PlaceScore:
    """One place's score (see the module docstring for the formula)."""
    matches = sorted(
        ((interests.weight(category), category) for category in place.categories if interests.weight(category) > 0),
        reverse=True,
    )
    interest = 0.0
    if matches:
        interest = matches[0][0] + SECONDARY_MATCH * sum(weight for weight, _ in matches[1:])
    popularity = place.popularity
    if matches:
        base = INTEREST_SHARE * interest + (1.0 - INTEREST_SHARE) * popularity
    else:
        base = UNMATCHED_SHARE * (1.0 - INTEREST_SHARE) * popularity
    factor, context_reasons = _context_factor(place, context)
    reasons: list[str] = []
    if matches:
        reasons.append(Message("reason.asked", category=category_label(matches[0][1])))
        reasons.extend(Message("reason.also", category=category_label(category)) for _, category in matches[1:2])
    else:
        reasons.append(Message("reason.well_known"))
    if popularity >= 0.7:
        reasons.append(Message("reason.very_popular"))
    elif popularity >= 0.5:
        reasons.append(Message("reason.popular"))
    reasons.extend(context_reasons)
    return PlaceScore(
        place_id=place.id,
        score=SCALE * base * factor,
        interest=interest,
        popularity=popularity,
        context_factor=factor,
        reasons=tuple(reasons),
    )


def _context_factor(place: Place, context: Context) -> tuple[float, list[str]]:
    factor = 1.0
    reasons: list[str] = []
    if context.weather is Weather.RAIN:
        factor *= _RAIN_INDOOR if place.indoor else _RAIN_OUTDOOR
        reasons.append(Message("reason.rain_indoor" if place.indoor else "reason.rain_outdoor"))
    if context.with_children:
        factor *= _CHILDREN_FRIENDLY if place.family_friendly else _CHILDREN_UNFRIENDLY
        if place.family_friendly:
            reasons.append(Message("reason.children"))
    return factor, reasons


def _category(name: str) -> Category:
    key = name.strip().lower().replace("-", "_").replace(" ", "_")
    try:
        return Category(key)
    except ValueError:
        pass
    if key in _ALIASES:
        return _ALIASES[key]
    known = [category.value for category in Category] + list(_ALIASES)
    raise UnknownInterestError(name, difflib.get_close_matches(key, known, n=3, cutoff=0.6))
