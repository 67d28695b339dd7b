"""Fixtures of the routing tests: the real Hanoi bundle, loaded once per session."""

from __future__ import annotations

from pathlib import Path

import pytest

from routing.bundle.load import CityBundle, load_bundle


@pytest.fixture(scope="session")
def hanoi_bundle(bundle_path: Path) -> CityBundle:
    """The real Hanoi bundle (``bundle_path``, the shared fixture of ``tests/conftest.py``), loaded once."""
    return load_bundle(bundle_path)
