"""Accounts: anonymous app installs, email + password, access and refresh tokens."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response, status
from fastapi.security import HTTPAuthorizationCredentials
from sqlalchemy.orm import Session

from api.deps import BearerDep, SessionDep, SettingsDep
from api.errors import ApiProblemError
from api.schemas import DeviceRequest, LoginRequest, RefreshRequest, RegisterRequest, TokenResponse
from api.security import (
    InvalidTokenError,
    decode_refresh_token,
    decode_token,
    hash_password,
    issue_pair,
    verify_password,
)
from api.settings import Settings
from api.store import repositories
from api.store.models import User

router = APIRouter(prefix="/v1/auth", tags=["auth"])
UNAUTHORIZED: dict[int | str, dict[str, Any]] = {401: {"description": "Wrong credentials or token (problem+json)"}}


def _tokens(settings: Settings, session: Session, user: User) -> TokenResponse:
    pair = issue_pair(settings, user.id)
    repositories.store_refresh_token(session, user.id, pair.refresh_id, pair.refresh_expires_at)
    return TokenResponse(
        access_token=pair.access_token,
        refresh_token=pair.refresh_token,
        expires_in=pair.expires_in,
        user_id=user.id,
        anonymous=user.email is None,
    )


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
    """Tokens for an email + password account."""
    user = repositories.user_by_email(session, body.email.strip().lower())
    if user is None or user.password_hash is None or not verify_password(user.password_hash, body.password):
        raise ApiProblemError(401, "Wrong email or password", "check the email and password", kind="bad-credentials")
    return _tokens(settings, session, user)


@router.post("/refresh", responses=UNAUTHORIZED)
def refresh(body: RefreshRequest, session: SessionDep, settings: SettingsDep) -> TokenResponse:
    """A new token pair for a live refresh token, which is used up (each refresh token works once).

    Presenting a refresh token a second time signs the account out everywhere (every refresh token revoked): a
    copy of it is in somebody else's hands.
    """
    user_id, token_id = _refresh_claims(settings, body.refresh_token)
    outcome = repositories.use_refresh_token(session, user_id, token_id)
    if outcome is repositories.RefreshOutcome.REUSED:
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
    return _tokens(settings, session, user)


@router.post("/logout", status_code=status.HTTP_204_NO_CONTENT, responses=UNAUTHORIZED)
def logout(body: RefreshRequest, session: SessionDep, settings: SettingsDep) -> Response:
    """Revoke this device's refresh token (its access token lapses within minutes); harmless to repeat."""
    user_id, token_id = _refresh_claims(settings, body.refresh_token)
    repositories.revoke_refresh_tokens(session, user_id, token_id=token_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


def _refresh_claims(settings: Settings, token: str) -> tuple[str, str]:
    try:
        return decode_refresh_token(settings, token)
    except InvalidTokenError as exc:
        raise ApiProblemError(401, "Invalid token", str(exc), kind="invalid-token") from exc
