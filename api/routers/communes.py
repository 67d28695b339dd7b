"""Wards and communes: their stories, signature items and places, events, and the way there from the centre."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Depends, Path

from api.deps import CityDep, LanguageDep, RouterDep
from api.errors import ApiProblemError, known_query
from api.problems import responses
from api.routers.places import to_response
from api.schemas.communes import (
    CommuneListResponse,
    CommuneResponse,
    CommuneSummary,
    GettingThere,
    SignatureItemResponse,
    StoryResponse,
)
from api.schemas.events import EventResponse
from recommender.communes.access import getting_there
from recommender.communes.events import default_events, occurrences
from recommender.communes.stories import Commune, communes, default_stories
from recommender.errors import RecommenderError
from recommender.wards import UnknownWardError, default_wards
from routing.errors import RoutingError

router = APIRouter(prefix="/v1/communes", tags=["communes"], dependencies=[Depends(known_query)])


def _summary(commune: Commune, lang: str) -> dict[str, object]:
    ward, story = commune.ward, commune.story
    return {
        "id": ward.id,
        "name": ward.name,
        "name_en": ward.name_en,
        "kind": ward.kind,
        "osm_relation": ward.osm_relation,
        "population": ward.population,
        "status": commune.status,
        "product": None if story is None else (story.product_vi if lang == "vi" else story.product_en),
        "place_ids": list(story.place_ids) if story is not None else [],
    }


@router.get("", response_model=CommuneListResponse)
def list_communes(lang: LanguageDep) -> CommuneListResponse:
    """All 126 wards and communes of 2025, each with its story status (``verified``, ``draft``, ``none yet``)."""
    found = list(communes(default_wards(), default_stories()))
    counts = {status: sum(c.status == status for c in found) for status in ("verified", "draft", "none yet")}
    return CommuneListResponse(
        communes=[CommuneSummary.model_validate(_summary(c, lang)) for c in found], counts=counts
    )


@router.get("/{commune_id}", response_model=CommuneResponse, responses=responses("commune-not-found"))
def get_commune(
    commune_id: Annotated[str, Path(max_length=100, description="Ward or commune id, e.g. xa-bat-trang.")],
    city: CityDep,
    city_router: RouterDep,
    lang: LanguageDep,
) -> CommuneResponse:
    """One unit: its story, signature items, places, events this year and next, and the bus from Hoàn Kiếm at 09:00."""
    try:
        ward = default_wards().get(commune_id)
    except UnknownWardError as exc:
        raise ApiProblemError(404, "Unknown ward or commune", str(exc), kind="commune-not-found") from None
    commune = Commune(ward, default_stories().get(ward.id))
    story = commune.story
    place_ids = [p for p in (story.place_ids if story else ()) if p in city.catalogue]
    today = dt.datetime.now(dt.UTC).date()
    found = occurrences(default_events(), today, dt.date(today.year + 1, 12, 31), ward=ward.id)
    access = None
    if place_ids:
        try:
            access = GettingThere.model_validate(getting_there(city_router, city.catalogue, place_ids[0]).to_dict())
        except (RecommenderError, RoutingError):
            access = None
    return CommuneResponse.model_validate(
        {
            **_summary(commune, lang),
            "story": None
            if story is None
            else StoryResponse.model_validate(
                {**story.model_dump(exclude={"items", "sources"}), "sources": [str(s) for s in story.sources]}
            ),
            "items": [
                SignatureItemResponse.model_validate(
                    {**item.model_dump(), "name": item.name_vi if lang == "vi" else item.name_en}
                )
                for item in (story.items if story else ())
            ],
            "places": [to_response(city.catalogue.get(p), city, lang) for p in place_ids],
            "events": [EventResponse.model_validate(o.to_dict()) for o in found],
            "getting_there": access,
        }
    )
