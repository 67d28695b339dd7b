"""FastAPI dependencies: the loaded city, settings, database sessions, the cache and the signed-in user.

The ones that only read the app's state are ``async def``: FastAPI runs a plain ``def`` dependency in the thread
pool, and a thread hop per dependency per request was most of the time of a cached answer.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated, Literal, TypeVar

from fastapi import Depends, Header, Query, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session

from api.cache import Cache
from api.errors import SERVICE_UNAVAILABLE_DETAIL, ApiProblemError
from api.planner import Planner
from api.security import InvalidTokenError, decode_token
from api.settings import Settings
from api.store import repositories
from api.store.models import User
from recommender.city import City
from recommender.messages import Language as TextLanguage
from recommender.messages import preferred_language
from routing import CityRouter

Language = Literal["vi", "en"]
"""The code of a language the API answers in (:class:`recommender.messages.Language` in the domain)."""
_CODES: dict[TextLanguage, Language] = {TextLanguage.VI: "vi", TextLanguage.EN: "en"}


_T = TypeVar("_T")


def _loaded(value: _T | None) -> _T:
    """What start-up loaded into the app's state, or a 503 problem when it could not be loaded (a bad bundle)."""
    if value is None:
        raise ApiProblemError.of("service-unavailable", SERVICE_UNAVAILABLE_DETAIL, headers={"Retry-After": "5"})
    return value


async def get_city(request: Request) -> City:
    """The city loaded at start-up (see ``api.app.lifespan``); a 503 problem when its bundle could not be loaded."""
    city: City | None = request.app.state.city
    return _loaded(city)


async def get_router(request: Request) -> CityRouter:
    """The router over the loaded bundle (a 503 problem when there is none)."""
    router: CityRouter | None = request.app.state.router
    return _loaded(router)


async def get_planner(request: Request) -> Planner:
    """Where this process's plans are computed (see :mod:`api.planner`)."""
    planner: Planner | None = request.app.state.planner
    return _loaded(planner)


async def get_app_settings(request: Request) -> Settings:
    """The settings the app was created with."""
    settings: Settings = request.app.state.settings
    return settings


async def get_cache(request: Request) -> Cache:
    """The response cache and rate limiter."""
    cache: Cache = request.app.state.cache
    return cache


def get_session(request: Request) -> Iterator[Session]:
    """A database session for the request, closed afterwards."""
    with request.app.state.sessions() as session:
        yield session


async def get_language(
    lang: Annotated[Language | None, Query(description="Language of names and texts (else Accept-Language).")] = None,
    accept_language: Annotated[str | None, Header(include_in_schema=False)] = None,
) -> Language:
    """The language of the answer: ``lang`` when given, else Accept-Language by its q-values, else English.

    An unsupported ``lang`` is a 422 (problem+json naming ``lang``); unsupported languages in Accept-Language are
    passed over (:func:`recommender.messages.preferred_language`). Every endpoint with text uses this one choice.
    """
    if lang is not None:
        return lang
    return _CODES[preferred_language(accept_language)]


_bearer = HTTPBearer(auto_error=False, description="An access token from /v1/auth/*.")


def get_current_user(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
    session: Annotated[Session, Depends(get_session)],
) -> User:
    """The account of the bearer access token.

    Raises
    ------
    ApiProblemError
        401 when the token is missing, tampered with, expired or names no account.
    """
    challenge = {"WWW-Authenticate": 'Bearer realm="heritage"'}
    if credentials is None:
        raise ApiProblemError(
            401,
            "Not authenticated",
            "send Authorization: Bearer <access token>",
            kind="unauthorized",
            headers=challenge,
        )
    try:
        user_id = decode_token(request.app.state.settings, credentials.credentials, "access")
    except InvalidTokenError as exc:
        raise ApiProblemError(401, "Invalid token", str(exc), kind="invalid-token", headers=challenge) from exc
    user = repositories.get_user(session, user_id)
    if user is None:
        raise ApiProblemError(
            401, "Invalid token", "the account no longer exists", kind="invalid-token", headers=challenge
        )
    return user


CityDep = Annotated[City, Depends(get_city)]
RouterDep = Annotated[CityRouter, Depends(get_router)]
PlannerDep = Annotated[Planner, Depends(get_planner)]
SettingsDep = Annotated[Settings, Depends(get_app_settings)]
CacheDep = Annotated[Cache, Depends(get_cache)]
SessionDep = Annotated[Session, Depends(get_session)]
LanguageDep = Annotated[Language, Depends(get_language)]
UserDep = Annotated[User, Depends(get_current_user)]
BearerDep = Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]
"""The bearer credentials when an Authorization header is sent, else None (anonymous use)."""
