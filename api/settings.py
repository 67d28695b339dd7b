"""Service and command-line settings, from environment variables prefixed ``HERITAGE_``.

Only the API and the CLI read these; ``routing`` and ``recommender`` receive plain arguments.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent
"""The repository (or image) root: data/ and bundles/ sit beside the packages."""


class Settings(BaseSettings):
    """Paths, build options and service settings; every field can be set as ``HERITAGE_<NAME>``."""

    model_config = SettingsConfigDict(env_prefix="HERITAGE_", env_file=".env", extra="ignore")

    environment: Literal["development", "test", "production"] = "development"
    data_dir: Path = PROJECT_ROOT / "data"
    osm_path: Path | None = Field(default=None, description="OSM extract; default: the one .osm.pbf in data/osm/")
    transit_dir: Path | None = None
    catalogue_path: Path | None = None
    bundle_dir: Path = PROJECT_ROOT / "bundles"
    max_snap_m: float = Field(default=250.0, gt=0, le=5_000)
    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65_535)

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
