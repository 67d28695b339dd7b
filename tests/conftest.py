"""Shared fixtures: paths to the shipped data and a way to point the settings elsewhere."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from api.settings import get_settings

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data"
FIXTURES = Path(__file__).resolve().parent / "fixtures"
VAN_MIEU_OSM = FIXTURES / "van-mieu-full-2023.osm"
HANOI_PBF = DATA / "osm" / "hanoi-merged-2025.osm.pbf"
TRANSIT = DATA / "transit"
CATALOGUE = DATA / "places" / "catalogue.csv"


@pytest.fixture
def isolated_settings(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[Path]:
    """Settings that write bundles under tmp_path; yields that bundle directory."""
    bundle_dir = tmp_path / "bundles"
    monkeypatch.setenv("HERITAGE_BUNDLE_DIR", str(bundle_dir))
    get_settings.cache_clear()
    yield bundle_dir
    get_settings.cache_clear()
