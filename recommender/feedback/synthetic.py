"""A SYNTHETIC Hanoi feedback log, so the collaborative model and the Hanoi evaluation run before real users exist.

Nothing here is observed behaviour. Each synthetic traveller has a persona (food lover, craft-village
enthusiast, history buff, art and CI centres, family, pilgrim, night owl, nature lover) perturbed per user,
and hidden tastes the catalogue does not show: every place has a latent *quality* that all travellers
feel a little, and a few latent taste factors that persona groups share (which is what a collaborative
model can discover and a content model cannot). A day starts near a random central place and moves to the
next place with probability rising with the traveller's utility and falling with the distance, so days
look like walkable or short-hop itineraries. Each visit logs a ``visit``; a liked one a ``like``; about half
get a 1-5 ``rating``; a planned place with low utility is sometimes ``skip``-ped. Every event is marked
``synthetic``. The app-declared interests of each traveller (the persona's top categories) are returned too,
as an API request would carry them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Final

import numpy as np

from recommender.catalogue import Catalogue
from recommender.feedback.events import EventKind, FeedbackEvent
from recommender.taxonomy import Category
from routing import CITY_TZ, haversine_m

PERSONAS: Final[dict[str, dict[Category, float]]] = {
    "food lover": {Category.CUISINE: 1.0, Category.MARKET: 0.6, Category.NIGHTLIFE: 0.3},
    "craft-village enthusiast": {Category.CRAFT_VILLAGE: 1.0, Category.MARKET: 0.4, Category.HERITAGE: 0.3},
    "history buff": {Category.HERITAGE: 1.0, Category.MUSEUM: 0.8, Category.ARCHITECTURE: 0.5},
    "art and CI centres": {Category.CI_CENTRE: 1.0, Category.PERFORMING_ARTS: 0.7, Category.ARCHITECTURE: 0.4},
    "family with children": {Category.NATURE: 1.0, Category.MUSEUM: 0.6, Category.CUISINE: 0.3},
    "pilgrim": {Category.SPIRITUAL: 1.0, Category.HERITAGE: 0.6},
    "night owl": {Category.NIGHTLIFE: 1.0, Category.CUISINE: 0.7, Category.PERFORMING_ARTS: 0.5},
    "nature lover": {Category.NATURE: 1.0, Category.CRAFT_VILLAGE: 0.4, Category.SPIRITUAL: 0.3},
}
"""Each persona's affinity to categories (others start at 0.05)."""


@dataclass(frozen=True)
class SyntheticSettings:
    """Size and shape of the synthetic log."""

    users: int = 600
    max_days: int = 3
    visits_per_day: tuple[int, int] = (3, 7)
    distance_cost_per_km: float = 0.9
    latent_factors: int = 4
    quality_weight: float = 0.6
    taste_weight: float = 0.8
    first_date: dt.date = field(default=dt.date(2026, 1, 5))
    seed: int = 0


@dataclass(frozen=True)
class SyntheticLog:
    """The events, and per user the persona and the interests the app would have sent."""

    events: list[FeedbackEvent]
    persona: dict[str, str]
    interests: dict[str, dict[str, float]]


def synthetic_events(catalogue: Catalogue, settings: SyntheticSettings | None = None) -> SyntheticLog:
    """Generate the log (deterministic for ``settings.seed``)."""
    config = settings or SyntheticSettings()
    rng = np.random.default_rng(config.seed)
    places = catalogue.places
    count = len(places)
    categories = list(Category)
    membership = np.zeros((count, len(categories)))
    for index, place in enumerate(places):
        for category in place.categories:
            membership[index, categories.index(category)] = 1.0
    popularity = np.asarray([place.popularity for place in places])
    family_friendly = np.asarray([place.family_friendly for place in places], dtype=float)
    lat = np.asarray([place.lat for place in places], dtype=np.float64)
    lon = np.asarray([place.lon for place in places], dtype=np.float64)
    distance_km = haversine_m(lat[:, None], lon[:, None], lat[None, :], lon[None, :]) / 1000.0
    quality = rng.normal(0.0, 1.0, count)
    place_taste = rng.normal(0.0, 1.0, (count, config.latent_factors))
    persona_names = list(PERSONAS)
    persona_taste = rng.normal(0.0, 1.0, (len(persona_names), config.latent_factors))
    central = np.argsort(-popularity)[:40]
    events: list[FeedbackEvent] = []
    persona_of: dict[str, str] = {}
    interests_of: dict[str, dict[str, float]] = {}
    for user in range(config.users):
        user_id = f"synthetic-{user:05d}"
        persona_index = int(rng.integers(len(persona_names)))
        name = persona_names[persona_index]
        affinity = np.full(len(categories), 0.05)
        for category, weight in PERSONAS[name].items():
            affinity[categories.index(category)] = weight
        affinity = np.clip(affinity + rng.normal(0.0, 0.1, affinity.shape), 0.0, 1.0)
        taste = persona_taste[persona_index] + rng.normal(0.0, 0.5, config.latent_factors)
        utility = (
            2.0 * (membership @ affinity) / np.maximum(membership.sum(axis=1), 1.0) ** 0.5
            + 1.0 * popularity
            + config.quality_weight * quality
            + config.taste_weight * (place_taste @ taste) / np.sqrt(config.latent_factors)
        )
        if name == "family with children":
            utility += 0.8 * (family_friendly - 0.5)
        persona_of[user_id] = name
        top = sorted(PERSONAS[name].items(), key=lambda item: -item[1])[:2]
        interests_of[user_id] = {
            category.value: round(float(affinity[categories.index(category)]), 2) for category, _ in top
        }
        visited: set[int] = set()
        date = config.first_date + dt.timedelta(days=int(rng.integers(0, 300)))
        for day in range(int(rng.integers(1, config.max_days + 1))):
            current = int(rng.choice(central))
            clock = dt.datetime.combine(date + dt.timedelta(days=day), dt.time(8, 30), tzinfo=CITY_TZ)
            for _ in range(int(rng.integers(config.visits_per_day[0], config.visits_per_day[1] + 1))):
                logits = utility - config.distance_cost_per_km * distance_km[current]
                logits[list(visited)] = -np.inf
                weights = np.exp(logits - logits[np.isfinite(logits)].max())
                weights[~np.isfinite(weights)] = 0.0
                choice = int(rng.choice(count, p=weights / weights.sum()))
                clock += dt.timedelta(minutes=int(10 + 12 * distance_km[current, choice]))
                felt = utility[choice] + rng.normal(0.0, 0.7)
                place_id = places[choice].id
                if felt < np.percentile(utility, 30) and rng.random() < 0.5:
                    events.append(FeedbackEvent(user_id, place_id, EventKind.SKIP, clock, synthetic=True))
                    continue
                visited.add(choice)
                events.append(FeedbackEvent(user_id, place_id, EventKind.VISIT, clock, synthetic=True))
                if felt > np.percentile(utility, 75):
                    events.append(FeedbackEvent(user_id, place_id, EventKind.LIKE, clock, synthetic=True))
                if rng.random() < 0.5:
                    rating = float(np.clip(np.round(3.0 + 1.2 * np.tanh(felt - np.median(utility))), 1, 5))
                    events.append(FeedbackEvent(user_id, place_id, EventKind.RATING, clock, rating, synthetic=True))
                clock += dt.timedelta(minutes=places[choice].visit_min)
                current = choice
    return SyntheticLog(events=events, persona=persona_of, interests=interests_of)
