"""Service and command-line settings, from environment variables prefixed ``HERITAGE_``.

Only the API and the CLI read these; ``routing`` and ``recommender`` receive plain arguments.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import AliasChoices, Field
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent
"""The repository (or image) root: data/ and bundles/ sit beside the packages."""
DEFAULT_SECRET = "development-only-secret-change-me"  # noqa: S105 - a placeholder the production check refuses


class Settings(BaseSettings):
    """Paths, build options and service settings; every field can be set as ``HERITAGE_<NAME>``."""

    model_config = SettingsConfigDict(env_prefix="HERITAGE_", env_file=".env", extra="ignore", populate_by_name=True)

    environment: Literal["development", "test", "production"] = "development"
    data_dir: Path = PROJECT_ROOT / "data"
    osm_path: Path | None = Field(default=None, description="OSM extract; default: the one .osm.pbf in data/osm/")
    transit_dir: Path | None = None
    catalogue_path: Path | None = None
    bundle_dir: Path = PROJECT_ROOT / "bundles"
    max_snap_m: float = Field(default=250.0, gt=0, le=5_000)
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
    cache_ttl_s: int = Field(default=3600, ge=1)
    preference_model_path: Path | None = Field(
        default=None,
        description="A learnt model (best_model.npz of `heritage experiment`): plans for a signed-in traveller then "
        "use it with the places they liked (their feedback); without it plans use the hand-set scores.",
    )

    # Accounts.
    secret_key: str = Field(default=DEFAULT_SECRET, min_length=16, description="JWT signing key; set it in production.")
    access_token_ttl_s: int = Field(default=900, ge=1)
    refresh_token_ttl_s: int = Field(default=30 * 24 * 3600, ge=1)

    # Safety.
    max_body_bytes: int = Field(default=256 * 1024, ge=1024)
    rate_limit_ip_per_min: int = Field(default=600, ge=1)
    rate_limit_token_per_min: int = Field(default=300, ge=1)
    cors_origins: list[str] = Field(default_factory=list)
    log_json: bool = True

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

    def check_production(self) -> None:
        """Refuse a production start with the default secret.

        Raises
        ------
        RuntimeError
            In production mode when ``HERITAGE_SECRET_KEY`` is unset.
        """
        if self.environment == "production" and self.secret_key == DEFAULT_SECRET:
            raise RuntimeError("refusing to start in production with the default secret: set HERITAGE_SECRET_KEY")

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


@lru_cache
def get_settings() -> Settings:
    """The process-wide settings (a FastAPI dependency; tests override it)."""
    return Settings()
