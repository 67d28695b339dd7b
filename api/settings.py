"""Service and command-line settings, from environment variables prefixed ``HERITAGE_``.

Only the API and the CLI read these; ``routing`` and ``recommender`` receive plain arguments.
"""

from __future__ import annotations

import math
from collections import Counter
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import AliasChoices, Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent
"""The repository (or image) root: data/ and bundles/ sit beside the packages."""
DEFAULT_SECRET = "development-only-secret-change-me"  # noqa: S105 - a placeholder the production check refuses
MIN_SECRET_LENGTH = 32
"""Characters a secret key needs outside development."""
MIN_SECRET_BITS = 96.0
"""Entropy a secret key needs outside development, estimated as length x the Shannon entropy of its characters
(``aaaa...`` has 0 bits, 32 random hex digits about 115, ``secrets.token_urlsafe(48)`` about 330)."""


class Settings(BaseSettings):
    """Paths, build options and service settings; every field can be set as ``HERITAGE_<NAME>``."""

    # hide_input_in_errors: a refused value (a secret, a URL with a password) is never echoed in a start-up error.
    model_config = SettingsConfigDict(
        env_prefix="HERITAGE_", env_file=".env", extra="ignore", populate_by_name=True, hide_input_in_errors=True
    )

    environment: Literal["development", "test", "production"] = "development"
    data_dir: Path = PROJECT_ROOT / "data"
    osm_path: Path | None = Field(default=None, description="OSM extract; default: the one .osm.pbf in data/osm/")
    transit_dir: Path | None = None
    catalogue_path: Path | None = None
    bundle_dir: Path = PROJECT_ROOT / "bundles"
    max_snap_m: float | None = Field(default=None, gt=0, le=5_000)
    """Query-time snap distance (m): a point farther from every street is refused; None: the bundle's."""
    walk_speed_mps: float | None = Field(default=None, gt=0, le=5)
    """Query-time walking speed (m/s); None: the bundle's."""
    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65_535)

    # The service's state: SQL store and Redis (both also read from the unprefixed 12-factor names).
    database_url: str | None = Field(
        default=None,
        validation_alias=AliasChoices("HERITAGE_DATABASE_URL", "DATABASE_URL", "database_url"),
        description="SQLAlchemy URL, e.g. postgresql+psycopg://user@host/db; default: SQLite at sqlite_path.",
    )
    sqlite_path: Path = PROJECT_ROOT / "var" / "heritage.sqlite3"
    redis_url: str | None = Field(
        default=None,
        validation_alias=AliasChoices("HERITAGE_REDIS_URL", "REDIS_URL", "redis_url"),
        description="redis://host:port/db; without it the cache and rate limits live in the process.",
    )
    redis_prefix: str = "heritage:"
    redis_timeout_s: float = Field(default=0.25, gt=0, le=10)

    # Database timeouts (see docs/API.md, "Limits and timeouts"): a hung or unreachable database costs a request at
    # most about connect + statement timeout, never the length of the outage.
    db_connect_timeout_s: int = Field(
        default=3, ge=2, le=60, description="PostgreSQL connect timeout (libpq connect_timeout; at least 2 s)."
    )
    db_statement_timeout_s: float = Field(
        default=5.0,
        gt=0,
        le=600,
        description="Longest statement (PostgreSQL statement_timeout), and the client's budget for a whole "
        "transaction's database waits (pool wait, reconnection, statements, commit) when the server does not answer "
        "at all (a hung server); the request then gets 503.",
    )
    db_pool_timeout_s: float = Field(default=5.0, gt=0, le=60, description="Longest wait for a pooled connection.")
    db_pool_size: int = Field(default=10, ge=1, le=200)
    db_max_overflow: int = Field(default=20, ge=0, le=200)
    sqlite_busy_timeout_s: float = Field(
        default=10.0, gt=0, le=120, description="How long a SQLite write waits for another writer's lock."
    )
    health_timeout_s: float = Field(
        default=1.0, gt=0, le=10, description="Longest wait of /health and /ready for the database probe."
    )
    cache_ttl_s: int = Field(default=3600, ge=1)
    preference_model_path: Path | None = Field(
        default=None,
        description="A learnt model (best_model.npz of `heritage experiment`): plans for a signed-in traveller then "
        "use it with the places they liked (their feedback); without it plans use the hand-set scores.",
    )

    # Accounts.
    secret_key: SecretStr = Field(
        default=SecretStr(DEFAULT_SECRET),
        description="JWT signing key. Outside development (HERITAGE_ENVIRONMENT=test or production) the service "
        f"refuses to start unless it has at least {MIN_SECRET_LENGTH} characters and about {MIN_SECRET_BITS:.0f} "
        "bits of entropy.",
    )
    access_token_ttl_s: int = Field(default=900, ge=1)
    refresh_token_ttl_s: int = Field(default=30 * 24 * 3600, ge=1)
    refresh_grace_s: float = Field(
        default=10.0,
        ge=0,
        le=60,
        description="For this long after a refresh token is used, presenting it again answers the same new pair "
        "(parallel refreshes of one app); later, reuse signs the account out everywhere. 0 turns the window off.",
    )

    # Safety.
    max_body_bytes: int = Field(default=256 * 1024, ge=1024)
    rate_limit_ip_per_min: int = Field(default=600, ge=1)
    rate_limit_token_per_min: int = Field(default=300, ge=1)
    cost_budget_tokens: float = Field(
        default=200.0,
        ge=1,
        description="Cost budget per client (address, and bearer token when one is sent): a token bucket of this "
        "many tokens (1 token is about 10 ms of CPU) spent by expensive operations (an uncached isochrone costs "
        "up to 100 tokens); see docs/API.md, Cost budget.",
    )
    cost_refill_per_s: float = Field(
        default=3.0, gt=0, le=10_000, description="Tokens a client's cost budget regains each second."
    )
    isochrone_max_minutes_walk: float = Field(
        default=60.0, gt=0, le=60, description="Longest walking isochrone (about 1 s of CPU uncached at 60 min)."
    )
    isochrone_max_minutes_bus: float = Field(
        default=30.0, gt=0, le=60, description="Longest bus isochrone (about 0.6-0.9 s of CPU uncached at 30 min)."
    )
    cors_origins: list[str] = Field(default_factory=list)
    trusted_proxies: list[str] = Field(
        default_factory=list,
        description="Addresses or networks (CIDR) of reverse proxies whose X-Forwarded-For / X-Forwarded-Proto are "
        "believed; default none: the peer address is the client's, whatever headers it sends.",
    )
    max_header_bytes: int = Field(
        default=64 * 1024, ge=4096, le=1024 * 1024, description="Largest request line + headers the server reads."
    )
    log_json: bool = True
    server_id: str | None = Field(
        default=None,
        max_length=64,
        pattern=r"^[A-Za-z0-9._-]+$",
        description="A name for this replica, sent as X-Served-By on every answer (which replica answered, behind "
        "a proxy); not a secret. Default none: no header.",
    )

    @property
    def resolved_database_url(self) -> str:
        """The configured database URL, else a SQLite file at ``sqlite_path``."""
        if self.database_url:
            url = self.database_url
            # Plain postgres URLs (as hosting platforms give them) use psycopg 3.
            for prefix in ("postgres://", "postgresql://"):
                if url.startswith(prefix):
                    return "postgresql+psycopg://" + url.removeprefix(prefix)
            return url
        return f"sqlite:///{self.sqlite_path}"

    def check_secrets(self) -> None:
        """Refuse to start outside development with a weak or default secret key (the key itself is never shown).

        Raises
        ------
        RuntimeError
            When ``environment`` is not ``development`` and ``HERITAGE_SECRET_KEY`` is unset, the default, shorter
            than :data:`MIN_SECRET_LENGTH` or below :data:`MIN_SECRET_BITS` of estimated entropy.
        """
        if self.environment == "development":
            return
        problem = secret_weakness(self.secret_key.get_secret_value())
        if problem is not None:
            raise RuntimeError(
                f"refusing to start with HERITAGE_ENVIRONMENT={self.environment}: HERITAGE_SECRET_KEY {problem}; "
                "set one such as the output of: python -c 'import secrets; print(secrets.token_urlsafe(48))'"
            )

    def resolved_osm_path(self) -> Path:
        """The OSM extract to build from: the setting, else the single ``*.osm.pbf`` in ``data/osm``."""
        if self.osm_path is not None:
            return self.osm_path
        candidates = sorted((self.data_dir / "osm").glob("*.osm.pbf"))
        return candidates[0] if candidates else self.data_dir / "osm" / "hanoi.osm.pbf"

    def resolved_transit_dir(self) -> Path:
        """The transit data directory (default ``data/transit``)."""
        return self.transit_dir or self.data_dir / "transit"

    def resolved_catalogue_path(self) -> Path:
        """The place catalogue (default ``data/places/catalogue.csv``)."""
        return self.catalogue_path or self.data_dir / "places" / "catalogue.csv"


def secret_weakness(secret: str) -> str | None:
    """Why ``secret`` is too weak to sign tokens with (never quoting it), or None when it is strong enough."""
    if secret == DEFAULT_SECRET:
        return "is unset (the development placeholder)"
    if len(secret) < MIN_SECRET_LENGTH:
        return f"is too short ({len(secret)} characters, at least {MIN_SECRET_LENGTH} needed)"
    if estimated_entropy_bits(secret) < MIN_SECRET_BITS:
        return f"is too predictable (repeated or few distinct characters; about {MIN_SECRET_BITS:.0f} bits needed)"
    return None


def estimated_entropy_bits(text: str) -> float:
    """Length x the Shannon entropy of the characters of ``text`` (a rough, generous estimate)."""
    counts = Counter(text)
    total = len(text)
    per_char = -sum(count / total * math.log2(count / total) for count in counts.values()) if total else 0.0
    return total * per_char


@lru_cache
def get_settings() -> Settings:
    """The process-wide settings (a FastAPI dependency; tests override it)."""
    return Settings()
