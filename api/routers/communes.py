"""Wards and communes: their stories, signature items and places, events, and the way there from the centre."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Header, Path, Response, status

from api.deps import CityDep, LanguageDep, RouterDep, SessionDep, UserDep
from api.errors import ApiProblemError, invalid, known_query, responses
from api.routers.places import to_response
from api.schemas.communes import (
    ChangeLogResponse,
    ChangeResponse,
    CommuneListResponse,
    CommuneResponse,
    CommuneSummary,
    GettingThere,
    RevisionCreate,
    RevisionDecision,
    RevisionListResponse,
    RevisionResponse,
    SignatureItemResponse,
    StoryResponse,
)
from api.schemas.events import EventResponse
from api.store import communes as store
from recommender.communes.access import getting_there
from recommender.communes.events import Event, default_events, occurrences
from recommender.communes.stories import Commune, Story, communes, default_stories
from recommender.errors import RecommenderError
from recommender.wards import UnknownWardError, default_wards
from routing import RoutingError

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
def list_communes(lang: LanguageDep, session: SessionDep) -> CommuneListResponse:
    """All 126 wards and communes of 2025, each with its story status (``verified``, ``draft``, ``none yet``).

    A story that editors changed and a moderator approved is the one shown.
    """
    edited = {unit: Story.model_validate(body) for unit, body in store.live_stories(session).items()}
    found = list(communes(default_wards(), {**default_stories(), **edited}))
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
    session: SessionDep,
) -> CommuneResponse:
    """One unit: its story, signature items, places, events this year and next, and the bus from Hoàn Kiếm at 09:00.

    What editors changed and a moderator approved is live here: the newest approved story replaces the shipped one,
    an approved event is added or replaces the shipped event of its id.
    """
    ward = default_wards().get(_unit(commune_id))
    live_story, live_events = store.live(session, ward.id)
    commune = Commune(ward, Story.model_validate(live_story) if live_story else default_stories().get(ward.id))
    story = commune.story
    place_ids = [p for p in (story.place_ids if story else ()) if p in city.catalogue]
    today = dt.datetime.now(dt.UTC).date()
    events = {event.id: event for event in default_events()} | {
        event_id: Event.model_validate(body) for event_id, body in live_events.items()
    }
    found = occurrences(events.values(), today, dt.date(today.year + 1, 12, 31), ward=ward.id)
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


# --- editors and moderators ------------------------------------------------------------------------------------------

EDITING = responses("unauthorized", "invalid-token", "not-an-editor", "commune-not-found")


def _unit(commune_id: str) -> str:
    try:
        return default_wards().get(commune_id).id
    except UnknownWardError as exc:
        raise ApiProblemError.of("commune-not-found", str(exc)) from None


def _check_may_edit(session: SessionDep, user: UserDep, unit_id: str) -> store.CommuneRole:
    """The account's role when it may change (and see the revisions of) ``unit_id``; else a 403 telling nothing."""
    role = store.role_of(session, user.id)
    if role is None or (role.role == "editor" and role.unit_id != unit_id):
        raise ApiProblemError.of("not-an-editor", "this account does not edit this ward or commune")
    return role


def editable_unit(commune_id: Annotated[str, Path(max_length=100)], user: UserDep, session: SessionDep) -> str:
    """The id of the unit in the path, when the caller may see and change it (else 404 or 403)."""
    unit_id = _unit(commune_id)
    _check_may_edit(session, user, unit_id)
    return unit_id


EditableUnit = Annotated[str, Depends(editable_unit)]


def _revision_response(row: store.CommuneRevision) -> RevisionResponse:
    fields = ("id", "unit_id", "kind", "target_id", "status", "author_id", "created_at", "decided_by", "decided_at")
    return RevisionResponse.model_validate({name: getattr(row, name) for name in fields} | {row.kind: row.body})


def _check_places(body: RevisionCreate, unit_id: str, city: CityDep) -> None:
    """A story's item places and an event's place and ward lie in the unit (422 naming the field otherwise)."""
    if body.event is not None:
        if body.event.ward != unit_id:
            raise invalid("event.ward", f"the event's ward must be {unit_id!r}")
        places = [("event.place_id", body.event.place_id)]
    else:
        assert body.story is not None
        places = [(f"story.items.{index}.place_id", p) for index, p in enumerate(body.story.place_ids)]
    for field, place_id in places:
        if place_id not in city.catalogue or city.catalogue.get(place_id).ward != unit_id:
            raise invalid(field, f"{place_id!r} is not a catalogue place in {unit_id!r}")


@router.post(
    "/{commune_id}/revisions",
    status_code=status.HTTP_201_CREATED,
    response_model=RevisionResponse,
    responses={**EDITING, **responses("invalid-request", "idempotency-key-reused")},
)
def propose_revision(  # noqa: PLR0917 - FastAPI parameters
    unit_id: EditableUnit,
    body: RevisionCreate,
    user: UserDep,
    session: SessionDep,
    city: CityDep,
    response: Response,
    idempotency_key: Annotated[str | None, Header(max_length=200, description="Repeats make one revision.")] = None,
) -> RevisionResponse:
    """Propose the unit's story or one of its events (its editor or a moderator); it stays pending until approved.

    A repeat with the same ``Idempotency-Key`` and body answers 200 with the first revision
    (``Idempotent-Replayed: true``); with another body, 422 ``idempotency-key-reused``.
    """
    _check_places(body, unit_id, city)
    kind: Literal["story", "event"] = "story" if body.story is not None else "event"
    proposed = body.story if body.story is not None else body.event
    assert proposed is not None
    stored = proposed.model_dump(mode="json")
    target = body.event.id if body.event is not None else None
    row, created = store.propose(
        session,
        author_id=user.id,
        unit_id=unit_id,
        kind=kind,
        target_id=target,
        body=stored,
        idempotency_key=idempotency_key,
    )
    if not created:
        if row.fingerprint != store.fingerprint(kind, target, stored) or row.unit_id != unit_id:
            raise ApiProblemError.of(
                "idempotency-key-reused", "this Idempotency-Key was used for another revision; use a new key"
            )
        response.status_code = status.HTTP_200_OK
        response.headers["Idempotent-Replayed"] = "true"
    response.headers["Location"] = f"/v1/communes/revisions/{row.id}"
    return _revision_response(row)


@router.get("/{commune_id}/revisions", response_model=RevisionListResponse, responses=EDITING)
def list_revisions(unit_id: EditableUnit, session: SessionDep) -> RevisionListResponse:
    """The unit's revisions, newest first (its editor and moderators only)."""
    return RevisionListResponse(revisions=[_revision_response(row) for row in store.revisions(session, unit_id)])


@router.get("/{commune_id}/changes", response_model=ChangeLogResponse, responses=EDITING)
def change_log(unit_id: EditableUnit, session: SessionDep) -> ChangeLogResponse:
    """Every proposal and decision for the unit, oldest first: who, when, what (its editor and moderators only)."""
    return ChangeLogResponse(
        changes=[ChangeResponse.model_validate(row, from_attributes=True) for row in store.changes(session, unit_id)]
    )


@router.post(
    "/revisions/{revision_id}/decision",
    response_model=RevisionResponse,
    responses={**EDITING, **responses("revision-not-found", "invalid-request")},
)
def decide_revision(
    revision_id: Annotated[str, Path(max_length=36)], body: RevisionDecision, user: UserDep, session: SessionDep
) -> RevisionResponse:
    """Approve (live at once) or reject a pending revision: moderators only.

    A revision of a unit the account may not see is a 404, as is an unknown id; an editor deciding on their own unit's
    revision is a 403.
    """
    role = store.role_of(session, user.id)
    row = store.revision(session, revision_id)
    visible = role is not None and (role.role == "moderator" or role.unit_id == (row.unit_id if row else None))
    if row is None or not visible:
        raise ApiProblemError.of("revision-not-found", f"no revision {revision_id!r} of a unit this account may see")
    if role is None or role.role != "moderator":
        raise ApiProblemError.of("not-an-editor", "only a moderator approves or rejects revisions")
    if row.status != store.PENDING:
        raise invalid("approve", f"the revision is already {row.status}")
    return _revision_response(store.decide(session, row, moderator_id=user.id, approve=body.approve))
