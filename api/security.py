"""Passwords (argon2) and tokens (JWT, HS256): short-lived access tokens and longer refresh tokens."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from functools import cache
from typing import Literal

import jwt
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from api.settings import Settings

ALGORITHM = "HS256"
TokenKind = Literal["access", "refresh"]
_hasher = PasswordHasher()


class InvalidTokenError(Exception):
    """A token that is malformed, tampered with, expired or of the wrong kind."""


def hash_password(password: str) -> str:
    """An argon2id hash of ``password``."""
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    """Whether ``password`` matches the stored hash."""
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


@cache
def _dummy_hash() -> str:
    """A hash of a random password, made once: what a login for an unknown account is checked against."""
    return _hasher.hash(uuid.uuid4().hex)


def check_login(password_hash: str | None, password: str) -> bool:
    """Whether ``password`` opens an account with ``password_hash`` (None: no such account, or none set).

    Takes the same time either way: without an account, ``password`` is checked against a dummy hash, so the time
    of a login does not tell whether an email has an account.
    """
    if password_hash is None:
        verify_password(_dummy_hash(), password)
        return False
    return verify_password(password_hash, password)


@dataclass(frozen=True)
class TokenPair:
    """What the auth endpoints return, and the refresh token's id and expiry for the store."""

    access_token: str
    refresh_token: str
    expires_in: int
    refresh_id: str
    refresh_expires_at: dt.datetime


def issue_token(
    settings: Settings, user_id: str, kind: TokenKind, *, now: dt.datetime | None = None, token_id: str | None = None
) -> str:
    """A signed token for ``user_id`` that expires after the configured lifetime of its kind."""
    issued = now or dt.datetime.now(tz=dt.UTC)
    ttl_s = settings.access_token_ttl_s if kind == "access" else settings.refresh_token_ttl_s
    claims = {
        "sub": user_id,
        "typ": kind,
        "iat": issued,
        "exp": issued + dt.timedelta(seconds=ttl_s),
        "jti": token_id or uuid.uuid4().hex,
    }
    return jwt.encode(claims, settings.secret_key.get_secret_value(), algorithm=ALGORITHM)


def issue_pair(settings: Settings, user_id: str) -> TokenPair:
    """A fresh access and refresh token."""
    now = dt.datetime.now(tz=dt.UTC)
    refresh_id = uuid.uuid4().hex
    return TokenPair(
        access_token=issue_token(settings, user_id, "access", now=now),
        refresh_token=issue_token(settings, user_id, "refresh", now=now, token_id=refresh_id),
        expires_in=settings.access_token_ttl_s,
        refresh_id=refresh_id,
        refresh_expires_at=now + dt.timedelta(seconds=settings.refresh_token_ttl_s),
    )


def decode_token(settings: Settings, token: str, kind: TokenKind) -> str:
    """The user id of a valid token of ``kind``.

    Raises
    ------
    InvalidTokenError
        If the signature does not verify, the token expired, or it is of the other kind.
    """
    return str(_claims(settings, token, kind)["sub"])


def decode_refresh_token(settings: Settings, token: str) -> tuple[str, str]:
    """The user id and token id of a valid refresh token (whether it is still live is the store's to say).

    Raises
    ------
    InvalidTokenError
        As :func:`decode_token`, or when the token carries no id.
    """
    claims = _claims(settings, token, "refresh")
    if not isinstance(claims.get("jti"), str):
        raise InvalidTokenError("the token is not valid")
    return str(claims["sub"]), str(claims["jti"])


def _claims(settings: Settings, token: str, kind: TokenKind) -> dict[str, object]:
    try:
        claims: dict[str, object] = jwt.decode(
            token, settings.secret_key.get_secret_value(), algorithms=[ALGORITHM], options={"require": ["exp", "sub"]}
        )
    except jwt.ExpiredSignatureError as exc:
        raise InvalidTokenError("the token has expired") from exc
    except jwt.PyJWTError as exc:
        raise InvalidTokenError("the token is not valid") from exc
    if claims.get("typ") != kind:
        raise InvalidTokenError(f"expected an {kind} token")
    return claims
