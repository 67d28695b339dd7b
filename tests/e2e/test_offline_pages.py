"""With the network cut, `/docs`, `/redoc`, `/operators/` and a `heritage plan --map` page still render.

Headless Chromium resolves no host name but 127.0.0.1 (``--host-resolver-rules``), so anything a page would load from a
CDN fails; Chrome's own network log then shows every request each page made. Screenshots go to the test's tmp_path
(their paths are in the assertion messages). Needs chromium, chromium-driver and selenium, like the operator test.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import folium
import pytest
from typer.testing import CliRunner

from cli.main import app as cli_app
from cli.plan_command import self_contained_map_html
from tests.e2e.test_operator_page import _browser_or_skip
from tests.e2e.test_operator_page import server as server  # noqa: PLC0414 - the fixture, re-exported for pytest

OFFLINE = "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1"
WAIT_S = 60
REDOCLY_LOGO = "https://cdn.redoc.ly/redoc/logo-mini.svg"


@pytest.fixture
def offline_browser() -> Iterator[Any]:
    """Headless Chromium that reaches 127.0.0.1 only, logging every request it makes."""
    chromium, chromedriver = _browser_or_skip()
    from selenium import webdriver
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service

    options = Options()
    options.binary_location = chromium
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1400,900", OFFLINE):
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"performance": "ALL", "browser": "ALL"})
    driver = webdriver.Chrome(service=Service(executable_path=chromedriver), options=options)
    try:
        yield driver
    finally:
        driver.quit()


def requested_urls(browser: Any) -> list[str]:
    """The URLs the browser asked for since the last call (from Chrome's performance log)."""
    urls = []
    for entry in browser.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        if message["method"] == "Network.requestWillBeSent":
            urls.append(message["params"]["request"]["url"])
    return urls


def elsewhere(urls: list[str], origin: str) -> list[str]:
    return [url for url in urls if not url.startswith((origin, "data:", "blob:"))]


def wait(browser: Any, condition: str, what: str, screenshot: Path) -> Any:
    """Wait for a JavaScript expression to be truthy; save the screenshot either way."""
    from selenium.common.exceptions import TimeoutException
    from selenium.webdriver.support.ui import WebDriverWait

    try:
        return WebDriverWait(browser, WAIT_S).until(lambda driver: driver.execute_script(f"return {condition}"))
    except TimeoutException:
        pytest.fail(f"{what} did not render offline; console: {browser.get_log('browser')} (screenshot: {screenshot})")
    finally:
        browser.save_screenshot(str(screenshot))


@pytest.mark.slow
def test_the_service_pages_render_with_the_network_cut(
    server: tuple[str, str], offline_browser: Any, tmp_path: Path
) -> None:
    api, _ = server
    browser = offline_browser
    from selenium.common.exceptions import WebDriverException

    with pytest.raises(WebDriverException, match="ERR_NAME_NOT_RESOLVED"):  # the network is cut
        browser.get("https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/leaflet.js")
    requested_urls(browser)

    shot = tmp_path / "docs.png"
    browser.get(f"{api}/docs")
    paths = wait(
        browser,
        "Array.from(document.querySelectorAll('.opblock-summary-path')).map((e) => e.dataset.path || e.textContent)",
        "Swagger UI's operation list",
        shot,
    )
    assert {"/v1/plans", "/v1/places", "/health"} <= {path.strip() for path in paths}, f"{paths} ({shot})"
    assert "Hanoi heritage routes" in browser.find_element("css selector", ".info .title").text
    assert not elsewhere(requested_urls(browser), api), shot

    shot = tmp_path / "redoc.png"
    browser.get(f"{api}/redoc")
    title = wait(browser, "(document.querySelector('.api-info h1') || {}).textContent", "ReDoc's title", shot)
    assert title.startswith("Hanoi heritage routes"), f"{title} ({shot})"
    menu = browser.execute_script("return document.querySelector('.menu-content').innerText")
    assert "Plan a trip" in menu or "plans" in menu.lower(), f"{menu[:500]} ({shot})"
    assert "/v1/plans" in browser.execute_script("return document.body.innerText"), shot
    # ReDoc's "API docs by Redocly" footer asks for its logo image (no option turns it off); offline it is left out.
    assert set(elsewhere(requested_urls(browser), api)) <= {REDOCLY_LOGO}, shot

    shot = tmp_path / "operators.png"
    browser.get(f"{api}/operators/")
    wait(browser, "document.body.dataset.ready", "the operator page", shot)
    assert browser.find_element("id", "status").text.endswith("places."), shot
    drawn = browser.execute_script(
        """
        const canvas = document.getElementById('map');
        const data = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
        let count = 0;
        for (let i = 3; i < data.length; i += 4) if (data[i] > 0) count++;
        return count;
        """
    )
    assert drawn > 10_000, f"the operator map is empty ({drawn} pixels drawn; {shot})"
    assert not elsewhere(requested_urls(browser), api), shot
    for screenshot in ("docs.png", "redoc.png", "operators.png"):
        assert (tmp_path / screenshot).stat().st_size > 10_000, tmp_path / screenshot


@pytest.mark.slow
def test_a_plan_map_renders_with_the_network_cut(offline_browser: Any, tmp_path: Path, bundle_path: Path) -> None:
    map_path = tmp_path / "plan.html"
    plan = ["plan", "--bundle", str(bundle_path), "--start", "hoan-kiem-lake", "--date", "2026-11-24"]
    result = CliRunner().invoke(cli_app, [*plan, "--map", str(map_path)])
    assert result.exit_code == 0, result.stderr
    browser = offline_browser
    shot = tmp_path / "plan-map.png"
    browser.get(map_path.as_uri())
    # The lines once the zoom to the plan's bounds has finished (mid-animation Leaflet scales them up).
    lines = wait(
        browser,
        "!document.querySelector('.leaflet-zoom-anim')"
        " && document.querySelectorAll('.leaflet-overlay-pane path').length",
        "the plan's lines",
        shot,
    )
    assert lines >= 2, shot
    markers = browser.execute_script("return document.querySelectorAll('.leaflet-marker-icon').length")
    assert markers >= 3, f"{markers} markers ({shot})"
    notice = wait(
        browser, "(document.querySelector('.tiles-unavailable') || {}).textContent", "the no-tiles notice", shot
    )
    assert "tiles unavailable" in notice.lower()
    # A visit's popup (its content is built with the inlined jQuery) opens on a click.
    browser.execute_script("document.querySelectorAll('.leaflet-marker-icon')[1].click()")
    popup = wait(
        browser,
        "(document.querySelector('.leaflet-popup') || {}).style && "
        "getComputedStyle(document.querySelector('.leaflet-popup')).opacity === '1' && "
        "document.querySelector('.leaflet-popup-content').textContent",
        "a popup",
        shot,
    )
    assert "why:" in popup, f"{popup} ({shot})"
    requested = elsewhere(requested_urls(browser), map_path.as_uri())
    assert requested, "the map asked for no tiles at all"
    assert all(urlsplit(url).hostname == "tile.openstreetmap.org" for url in requested), requested
    assert shot.stat().st_size > 10_000, shot


def test_a_map_page_has_leaflet_inline_and_nothing_from_a_cdn() -> None:
    figure = folium.Map(location=(21.03, 105.85), zoom_start=13, tiles=None)
    folium.TileLayer("OpenStreetMap").add_to(figure)
    untyped: Any = folium  # folium's line class has no type hints
    untyped.PolyLine([(21.03, 105.85), (21.04, 105.86)], popup=folium.Popup("leg 1")).add_to(figure)
    folium.Marker((21.03, 105.85), icon=folium.Icon(color="darkpurple", icon="home")).add_to(figure)
    page = self_contained_map_html(figure)
    assert not re.search(r"<script[^>]*\bsrc=", page)
    assert not re.search(r"<link[^>]*\bhref=", page)
    assert not re.search(r"cdn\.jsdelivr|cdnjs|bootstrapcdn|code\.jquery", page)
    assert "AwesomeMarkers" not in page  # the awesome-markers pin, from a CDN, became a CSS pin of the same colour
    assert "#5b396b" in page
    assert "Leaflet 1.9.3" in page
    assert "jQuery v3.7.1" in page
    assert 'url("data:image/png;base64,' in page  # Leaflet's layer-control and marker images
    assert "tile.openstreetmap.org" in page  # tiles still need the network: the page says so when they fail


def test_a_map_with_an_asset_the_writer_cannot_inline_is_refused() -> None:
    from folium import plugins

    untyped: Any = plugins
    figure = folium.Map(location=(21.03, 105.85), zoom_start=13, tiles=None)
    untyped.Fullscreen().add_to(figure)  # links its script and style from a CDN
    with pytest.raises(ValueError, match="from the network"):
        self_contained_map_html(figure)
