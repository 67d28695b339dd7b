"""Device sign-up, accounts and tokens."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from api.schemas.common import InputModel, ResponseModel


class DeviceRequest(InputModel):
    """An app install asking for an anonymous account."""

    device_name: str | None = Field(default=None, max_length=100, examples=["Pixel 9"])


class RegisterRequest(InputModel):
    """Email and password (a signed-in anonymous account keeps its data when it registers)."""

    email: str = Field(min_length=3, max_length=320, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$", examples=["an@example.org"])
    password: str = Field(min_length=8, max_length=256, examples=["correct horse battery"])


class LoginRequest(InputModel):
    """Email and password."""

    email: str = Field(min_length=3, max_length=320)
    password: str = Field(min_length=1, max_length=256)


class RefreshRequest(InputModel):
    """A refresh token."""

    refresh_token: str = Field(min_length=10, max_length=4096)


class TokenResponse(ResponseModel):
    """Bearer tokens: send the access token as ``Authorization: Bearer``; refresh it before ``expires_in``."""

    access_token: str
    refresh_token: str
    token_type: Literal["bearer"] = "bearer"  # noqa: S105 - the scheme's name, not a secret
    expires_in: int
    user_id: str
    anonymous: bool
