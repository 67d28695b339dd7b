"""Accounts: anonymous app installs, email + password, access and refresh tokens."""

from __future__ import annotations

import datetime as dt
import json
import math
import time
from typing import Any

from fastapi import APIRouter, Depends, Request, Response, status
from fastapi.security import HTTPAuthorizationCredentials
from sqlalchemy.orm import Session

from api.cache import Cache
from api.deps import BearerDep, CacheDep, SessionDep, SettingsDep
from api.errors import ApiProblemError, known_query
from api.schemas import DeviceRequest, LoginRequest, RefreshRequest, RegisterRequest, TokenResponse
from api.security import (
    InvalidTokenError,
    check_login,
    decode_refresh_token,
    decode_token,
    hash_password,
    issue_pair,
)
from api.settings import Settings
from api.store import repositories
from api.store.models import RefreshToken, User

router = APIRouter(prefix="/v1/auth", tags=["auth"], dependencies=[Depends(known_query)])
UNAUTHORIZED: dict[int | str, dict[str, Any]] = {401: {"description": "Wrong credentials or token (problem+json)"}}


GRACE_POLL_S = 0.05
"""How often a refresh in the grace window looks for the pair that the concurrent refresh is issuing."""
GRACE_WAIT_S = 3.0
"""How long it looks before treating the token as reused."""


def _tokens(settings: Settings, session: Session, user: User) -> TokenResponse:
    return _issue(settings, session, user)[0]


def _issue(settings: Settings, session: Session, user: User) -> tuple[TokenResponse, str]:
    """A new token pair for ``user`` (its refresh token recorded) and the refresh token's id."""
    pair = issue_pair(settings, user.id)
    repositories.store_refresh_token(session, user.id, pair.refresh_id, pair.refresh_expires_at)
    answer = TokenResponse(
        access_token=pair.access_token,
        refresh_token=pair.refresh_token,
        expires_in=pair.expires_in,
        user_id=user.id,
        anonymous=user.email is None,
    )
    return answer, pair.refresh_id


def _grace_key(token_id: str) -> str:
    return f"refresh-grace:{token_id}"


_SIGNED_OUT = b"signed-out"


@router.post("/device", status_code=status.HTTP_201_CREATED)
def register_device(body: DeviceRequest, session: SessionDep, settings: SettingsDep) -> TokenResponse:
    """A new anonymous account for an app install; keep the refresh token on the device."""
    user = repositories.create_user(session, device_name=body.device_name)
    return _tokens(settings, session, user)


@router.post(
    "/register",
    status_code=status.HTTP_201_CREATED,
    responses={409: {"description": "Email taken"}},
    openapi_extra={"security": [{"HTTPBearer": []}, {}]},  # the token is optional: it upgrades an anonymous account
)
def register(
    body: RegisterRequest,
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    credentials: BearerDep,
) -> TokenResponse:
    """An email + password account; with an anonymous access token, that account is upgraded and keeps its data."""
    email = body.email.strip().lower()
    password_hash = hash_password(body.password)
    try:
        user = _anonymous_caller(request, session, credentials)
        if user is not None:
            user = repositories.upgrade_user(session, user, email=email, password_hash=password_hash)
        else:
            user = repositories.create_user(session, email=email, password_hash=password_hash)
    except repositories.EmailTakenError:
        raise ApiProblemError(
            409, "Email taken", "an account with this email exists; log in", kind="email-taken"
        ) from None
    return _tokens(settings, session, user)


def _anonymous_caller(
    request: Request, session: SessionDep, credentials: HTTPAuthorizationCredentials | None
) -> User | None:
    if credentials is None:
        return None
    try:
        user_id = decode_token(request.app.state.settings, credentials.credentials, "access")
    except InvalidTokenError as exc:
        raise ApiProblemError(401, "Invalid token", str(exc), kind="invalid-token") from exc
    user = repositories.get_user(session, user_id)
    return user if user is not None and user.email is None else None


@router.post("/login", responses=UNAUTHORIZED)
def login(body: LoginRequest, session: SessionDep, settings: SettingsDep) -> TokenResponse:
    """Tokens for an email + password account (as slow for an unknown email as for a wrong password)."""
    user = repositories.user_by_email(session, body.email.strip().lower())
    if not check_login(user.password_hash if user is not None else None, body.password) or user is None:
        raise ApiProblemError(401, "Wrong email or password", "check the email and password", kind="bad-credentials")
    return _tokens(settings, session, user)


@router.post("/refresh", responses=UNAUTHORIZED)
def refresh(body: RefreshRequest, session: SessionDep, settings: SettingsDep, cache: CacheDep) -> TokenResponse:
    """A new token pair for a live refresh token, which is used up (each refresh token works once).

    Within ``HERITAGE_REFRESH_GRACE_S`` (10 s) of its use, the same token answers the same new pair again (an app
    whose parallel calls refresh at once stays signed in), as long as that pair's refresh token is live. Presenting
    it later, or after a logout, signs the account out everywhere (every refresh token revoked): a copy of it is in
    somebody else's hands.
    """
    user_id, token_id = _refresh_claims(settings, body.refresh_token)
    outcome = repositories.use_refresh_token(session, user_id, token_id)
    if outcome is repositories.RefreshOutcome.REUSED:
        replayed = _within_grace(session, settings, cache, user_id, token_id)
        if replayed is not None:
            return replayed
        repositories.revoke_refresh_tokens(session, user_id)
        raise ApiProblemError(
            401,
            "Invalid token",
            "this refresh token was already used or signed out; every session of the account is now signed out, "
            "sign in again",
            kind="invalid-token",
        )
    if outcome is repositories.RefreshOutcome.UNKNOWN:
        raise ApiProblemError(401, "Invalid token", "the refresh token was revoked or expired", kind="invalid-token")
    user = repositories.get_user(session, user_id)
    if user is None:
        raise ApiProblemError(401, "Invalid token", "the account no longer exists", kind="invalid-token")
    answer, successor = _issue(settings, session, user)
    if settings.refresh_grace_s > 0:
        record = {"successor": successor, "answer": answer.model_dump(mode="json")}
        cache.set(_grace_key(token_id), json.dumps(record).encode(), math.ceil(settings.refresh_grace_s))
    return answer


def _within_grace(
    session: Session, settings: Settings, cache: Cache, user_id: str, token_id: str
) -> TokenResponse | None:
    """The pair a refresh of ``token_id`` answered moments ago, or None (the reuse is then treated as theft).

    That pair is answered again when the token was rotated (not signed out) within the grace window and the pair's
    refresh token is still live. A parallel refresh may still be issuing that pair: it is awaited for up to
    :data:`GRACE_WAIT_S`.
    """
    row = session.get(RefreshToken, token_id)
    if settings.refresh_grace_s <= 0 or row is None or row.revoked_at is None:
        return None
    revoked_at = row.revoked_at if row.revoked_at.tzinfo else row.revoked_at.replace(tzinfo=dt.UTC)
    if dt.datetime.now(tz=dt.UTC) - revoked_at > dt.timedelta(seconds=settings.refresh_grace_s):
        return None
    deadline = time.monotonic() + GRACE_WAIT_S
    while True:
        stored = cache.get(_grace_key(token_id))
        if stored is not None or time.monotonic() >= deadline:
            break
        time.sleep(GRACE_POLL_S)
    if stored is None or stored == _SIGNED_OUT:
        return None
    record = json.loads(stored)
    session.expire_all()
    successor = session.get(RefreshToken, record["successor"])
    if successor is None or successor.revoked_at is not None:
        return None
    return TokenResponse.model_validate(record["answer"])


@router.post("/logout", status_code=status.HTTP_204_NO_CONTENT, responses=UNAUTHORIZED)
def logout(body: RefreshRequest, session: SessionDep, settings: SettingsDep, cache: CacheDep) -> Response:
    """Revoke this device's refresh token (its access token lapses within minutes); harmless to repeat."""
    user_id, token_id = _refresh_claims(settings, body.refresh_token)
    repositories.revoke_refresh_tokens(session, user_id, token_id=token_id)
    if settings.refresh_grace_s > 0:  # a token signed out is never replayed by the grace window
        cache.set(_grace_key(token_id), _SIGNED_OUT, math.ceil(settings.refresh_grace_s))
    return Response(status_code=status.HTTP_204_NO_CONTENT)


def _refresh_claims(settings: Settings, token: str) -> tuple[str, str]:
    try:
        return decode_refresh_token(settings, token)
    except InvalidTokenError as exc:
        raise ApiProblemError(401, "Invalid token", str(exc), kind="invalid-token") from exc
