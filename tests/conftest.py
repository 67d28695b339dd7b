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
