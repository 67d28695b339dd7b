"""The place catalogue."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query

from api.deps import CityDep
from api.schemas import PlaceListResponse, PlaceResponse
from recommender.catalogue import Place
from recommender.city import City
from recommender.taxonomy import Category

router = APIRouter(prefix="/v1/places", tags=["places"])
Language = Literal["vi", "en"]


def to_response(place: Place, city: City, lang: Language) -> PlaceResponse:
    """Localise a catalogue place for the app."""
    access = city.bundle.place_access.get(place.id, {})
    return PlaceResponse(
        **place.model_dump(
            include={
                "id",
                "name_vi",
                "name_en",
                "lat",
                "lon",
                "opening_hours",
                "visit_min",
                "price_vnd",
                "indoor",
                "family_friendly",
                "popularity",
            }
        ),
        name=place.name_vi if lang == "vi" else place.name_en,
        categories=list(place.categories),
        dishes=[str(d) for d in place.dishes],
        district=str(place.district),
        description=place.description_vi if lang == "vi" else place.description_en,
        off_network=bool(access.get("off_network", False)),
    )


@router.get("")
def list_places(
    city: CityDep,
    q: Annotated[str | None, Query(max_length=100, description="Text in names, districts or dishes.")] = None,
    category: Category | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    lang: Language = "en",
) -> PlaceListResponse:
    """Search places by text and category, most relevant and popular first."""
    found = city.catalogue.search(q, category=category, limit=limit)
    return PlaceListResponse(items=[to_response(p, city, lang) for p in found], count=len(found))


@router.get("/{place_id}")
def get_place(place_id: str, city: CityDep, lang: Language = "en") -> PlaceResponse:
    """One place by id (404 problem+json with suggestions when unknown)."""
    return to_response(city.catalogue.get(place_id), city, lang)
