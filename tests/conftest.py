"""Shared fixtures: paths to the shipped data, the default city (built and loaded once), a way to point the settings
elsewhere.

The city's modules are imported inside its fixtures so that suites which never ask for it do not pay for the import.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from api.settings import get_settings

if TYPE_CHECKING:
    from recommender.city import City

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data"
FIXTURES = Path(__file__).resolve().parent / "fixtures"
VAN_MIEU_OSM = FIXTURES / "van-mieu-full-2023.osm"
HANOI_PBF = DATA / "osm" / "hanoi-merged-2025.osm.pbf"
TRANSIT = DATA / "transit"
CATALOGUE = DATA / "places" / "catalogue.csv"
NAMED_PLACES = (
    "co-loa-citadel",
    "vong-green-rice-village",
    "hang-dau-water-tower",
    "gia-lam-locomotive-factory",
    "villa-46-hang-bai",
    "red-river-sandbank",
    "temple-of-literature",
    "hoan-kiem-lake",
    "ngoc-son-temple",
)
"""Places the city's plans name, by id: the catalogue must hold each of them."""


@pytest.fixture(scope="session")
def bundle_path() -> Path:
    """The default city's bundle from the settings, built once when it is not there yet."""
    from api.city import current_spec
    from recommender.city import build_city

    settings = get_settings()
    return build_city(current_spec(settings), settings.bundle_dir)


@pytest.fixture(scope="session")
def city(bundle_path: Path) -> City:
    """The default (Hanoi) city, loaded once for every test that reads it."""
    from recommender.city import load_city

    return load_city(bundle_path)


@pytest.fixture
def isolated_settings(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[Path]:
    """Settings that write bundles under tmp_path; yields that bundle directory."""
    bundle_dir = tmp_path / "bundles"
    monkeypatch.setenv("HERITAGE_BUNDLE_DIR", str(bundle_dir))
    get_settings.cache_clear()
    yield bundle_dir
    get_settings.cache_clear()


# --- real PostgreSQL and Redis for the API's store and cache suites ----------------------------------------------

POSTGRES_HOST, POSTGRES_PORT = "127.0.0.1", 5432
REDIS_HOST, REDIS_PORT = "127.0.0.1", 6379


def server_reachable(host: str, port: int) -> bool:
    """Whether something accepts TCP connections at host:port (a quick check before the real client)."""
    import socket

    try:
        with socket.create_connection((host, port), timeout=1.0):
            return True
    except OSError:
        return False


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Say loudly when the store or cache suites were skipped because their server was not reachable."""
    skipped = terminalreporter.stats.get("skipped", [])
    for marker, name, host, port in (
        ("postgres", "PostgreSQL", POSTGRES_HOST, POSTGRES_PORT),
        ("redis", "Redis", REDIS_HOST, REDIS_PORT),
    ):
        count = sum(
            1
            for report in skipped
            if marker in getattr(report, "keywords", {}) and "not reachable" in str(getattr(report, "longrepr", ""))
        )
        if count:
            terminalreporter.write_sep(
                "!", f"{name} at {host}:{port} not reachable: {count} {marker} tests skipped", red=True, bold=True
            )
