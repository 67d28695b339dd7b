"""Fixtures of the end-to-end tests that start a real `heritage serve`."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from recommender.city import build_city, build_spec
from routing.build.bundle import BuildOptions
from tests.conftest import CATALOGUE, TRANSIT, VAN_MIEU_OSM


@pytest.fixture
def server_env(tmp_path: Path) -> dict[str, str]:
    """Environment for a server on the small Văn Miếu bundle, with its SQLite file in tmp_path."""
    bundle_dir = tmp_path / "bundles"
    build_city(build_spec(VAN_MIEU_OSM, TRANSIT, CATALOGUE, options=BuildOptions()), bundle_dir)
    return {
        **os.environ,
        "HERITAGE_BUNDLE_DIR": str(bundle_dir),
        "HERITAGE_OSM_PATH": str(VAN_MIEU_OSM),
        "HERITAGE_SQLITE_PATH": str(tmp_path / "heritage.sqlite3"),
    }
