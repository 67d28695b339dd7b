"""The operator page end to end: a real `heritage serve`, a key from the CLI, headless Chromium clicking through it.

Needs Debian's ``chromium`` and ``chromium-driver`` (``make browser`` installs them) and selenium (the dev extra);
without them the test is skipped with a warning that says what to install.
"""

from __future__ import annotations

import os
import shutil
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from api.city import current_spec
from api.settings import get_settings
from recommender.city import build_city
from tests.conftest import ROOT
from tests.heritage_process import free_port, heritage_command, local_store_env, run_heritage, serving, wait_until_ok

pytestmark = pytest.mark.slow
CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
PICKED_PLACE = "temple-of-literature"
ARTEFACTS = ROOT / "build" / "test-artefacts"
"""Where the browser test keeps its screenshot (``HERITAGE_TEST_ARTEFACTS`` overrides; CI uploads the folder)."""


def _browser_or_skip() -> tuple[str, str]:
    chromium = CHROMIUM if Path(CHROMIUM).exists() else shutil.which("chromium")
    chromedriver = CHROMEDRIVER if Path(CHROMEDRIVER).exists() else shutil.which("chromedriver")
    problems = []
    if chromium is None:
        problems.append("chromium is not installed")
    if chromedriver is None:
        problems.append("chromedriver is not installed")
    try:
        import selenium  # noqa: F401
    except ImportError:
        problems.append("selenium is not installed (pip install -e '.[dev]')")
    if problems or chromium is None or chromedriver is None:
        message = (
            "BROWSER TEST SKIPPED: " + "; ".join(problems) + ". Run `make browser` (apt-get install -y chromium "
            "chromium-driver, as root) and `make dev`, then run tests/e2e/test_operator_page.py again."
        )
        warnings.warn(message, stacklevel=2)
        pytest.skip(message)
    return chromium, chromedriver


@pytest.fixture
def server(tmp_path: Path) -> Iterator[tuple[str, str]]:
    """A real `heritage serve` on a free loopback port with its own SQLite file; yields (base URL, operator key)."""
    settings = get_settings()
    build_city(current_spec(settings), settings.bundle_dir)  # no-op when the bundle exists
    env = local_store_env(tmp_path / "operators.sqlite3")
    created = run_heritage("operator-key", "create", "--name", "browser test", env=env)
    assert created.returncode == 0, created.stderr
    key = created.stdout.strip()
    port = free_port()
    api = f"http://127.0.0.1:{port}"
    with (
        (tmp_path / "server.log").open("w") as log,
        serving(heritage_command("serve", "--port", str(port)), env=env, output=log) as process,
    ):
        ready = wait_until_ok(f"{api}/ready", process, timeout_s=90)
        assert ready is not None, f"server did not come up; see {tmp_path / 'server.log'}"
        yield api, key


@pytest.fixture
def browser() -> Iterator[Any]:
    """Headless Chromium driven by selenium (skips loudly when chromium or chromedriver is missing)."""
    chromium, chromedriver = _browser_or_skip()
    from selenium import webdriver
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service

    options = Options()
    options.binary_location = chromium
    # No network but the loopback: every other host name fails to resolve, so the page must work offline.
    offline = "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1"
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1400,1000", offline):
        options.add_argument(argument)
    driver = webdriver.Chrome(service=Service(executable_path=chromedriver), options=options)
    try:
        yield driver
    finally:
        driver.quit()


def _artefact(name: str) -> Path:
    folder = Path(os.environ.get("HERITAGE_TEST_ARTEFACTS", str(ARTEFACTS)))
    folder.mkdir(parents=True, exist_ok=True)
    return folder / name


def test_an_operator_picks_places_proposes_a_line_and_sees_it(
    server: tuple[str, str], browser: Any, tmp_path: Path
) -> None:
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions
    from selenium.webdriver.support.ui import WebDriverWait

    api, key = server
    screenshot = _artefact("operator-page.png")
    browser.get(f"{api}/operators/")
    body = browser.find_element(By.TAG_NAME, "body")
    WebDriverWait(browser, 60).until(lambda _: body.get_attribute("data-ready"))
    assert browser.find_element(By.ID, "status").text.endswith("places.")

    browser.find_element(By.ID, "api-key").send_keys(key)
    for theme in ("heritage", "ci_centre"):
        browser.find_element(By.CSS_SELECTOR, f"input[name=theme][value={theme}]").click()
    # Click the Temple of Literature's dot: centre the map on it, zoom in, click the middle of the canvas.
    browser.execute_script("window.operatorMap.centreOn(arguments[0])", PICKED_PLACE)
    for _ in range(3):
        browser.find_element(By.ID, "zoom-in").click()
    canvas = browser.find_element(By.ID, "map")
    x, y = browser.execute_script("return window.operatorMap.screenPosition(arguments[0])", PICKED_PLACE)
    width, height = canvas.size["width"], canvas.size["height"]
    ActionChains(browser).move_to_element_with_offset(
        canvas, round(x - width / 2), round(y - height / 2)
    ).click().perform()
    picked = [item.get_attribute("data-place-id") for item in browser.find_elements(By.CSS_SELECTOR, "#picked li")]
    assert picked == [PICKED_PLACE]
    browser.find_element(By.ID, "headway").clear()
    browser.find_element(By.ID, "headway").send_keys("12")
    labels = browser.execute_script("return window.operatorMap.labels()")
    assert PICKED_PLACE in labels["places"], labels  # place names drawn on the map
    assert labels["streets"], "no street name drawn"

    browser.find_element(By.ID, "propose").click()
    try:
        WebDriverWait(browser, 180).until(expected_conditions.visibility_of_element_located((By.ID, "results")))
    finally:
        browser.save_screenshot(str(screenshot))
    where = f"(screenshot: {screenshot})"
    status = browser.find_element(By.ID, "status")
    assert "proposed" in status.text, f"{status.text} {where}"

    metrics = {
        row.get_attribute("data-metric"): row.find_element(By.TAG_NAME, "td").text
        for row in browser.find_elements(By.CSS_SELECTOR, "#metrics tr")
    }
    for name in ("stops", "round-trip", "fleet", "vehicle-km", "sites-served", "mean", "median", "share-improved"):
        assert metrics.get(name), f"metric {name} missing: {metrics} {where}"
    assert int(metrics["stops"]) >= 2, where
    assert metrics["fleet"].endswith("buses"), where
    assert int(metrics["sites-served"]) >= 3, where
    assert "saved on average" in metrics["touched"], where
    assert metrics["cost"].endswith("VND"), where
    assert browser.find_element(By.ID, "verdict").text, where
    assert len(browser.find_elements(By.CSS_SELECTOR, "#savings-chart svg rect")) >= 10, where
    alternatives = browser.find_elements(By.CSS_SELECTOR, "#alternatives tbody tr")
    assert len(alternatives) >= 1, where
    assert len(browser.find_elements(By.CSS_SELECTOR, "#alternatives tr.chosen")) == 1, where
    wards = browser.find_elements(By.CSS_SELECTOR, "#wards tbody tr")
    assert len(wards) == 10, where
    assert all(row.find_elements(By.TAG_NAME, "td")[1].text[0].isdigit() for row in wards), where
    assert "→" in metrics["mean"], where
    assert len(browser.find_elements(By.CSS_SELECTOR, "#top-sites li")) == 5, where

    line_id = body.get_attribute("data-line-id")
    stored = httpx.get(f"{api}/v1/operators/lines/{line_id}", headers={"X-API-Key": key}, timeout=10).json()
    assert PICKED_PLACE in stored["proposal"]["designed_for"], where
    assert stored["request"]["headway_min"] == 12, where
    assert str(len(stored["proposal"]["stops"])) == metrics["stops"], where

    # The line is drawn: many pixels of the route's blue on the canvas.
    blue = browser.execute_script(
        """
        const canvas = document.getElementById('map');
        const data = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
        let count = 0;
        for (let i = 0; i < data.length; i += 4) {
          const [r, g, b] = [data[i], data[i + 1], data[i + 2]];
          if (Math.abs(r - 21) < 40 && Math.abs(g - 101) < 40 && Math.abs(b - 192) < 40) count++;
        }
        return count;
        """
    )
    assert blue > 500, f"the line is not drawn ({blue} blue pixels) {where}"

    link = browser.find_element(By.ID, "download-gtfs")
    assert link.text == "Download GTFS"
    assert link.get_attribute("href").startswith("blob:"), where
    head = browser.execute_async_script(
        """
        const done = arguments[arguments.length - 1];
        fetch(arguments[0]).then((r) => r.arrayBuffer()).then((b) => done([b.byteLength, ...new Uint8Array(b, 0, 2)]));
        """,
        link.get_attribute("href"),
    )
    assert head[0] > 1000, where
    assert bytes(head[1:]) == b"PK", f"the GTFS download is not a zip {where}"

    # Before/after isochrones from a site of the line: the "after" area is drawn in green.
    browser.find_element(By.ID, "iso-draw").click()
    WebDriverWait(browser, 120).until(lambda _: body.get_attribute("data-areas"))
    green = browser.execute_script(
        """
        const canvas = document.getElementById('map');
        const data = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
        let count = 0;
        for (let i = 0; i < data.length; i += 4) {
          if (data[i + 1] > data[i] + 25 && data[i + 1] > data[i + 2] + 25) count++;
        }
        return count;
        """
    )
    browser.save_screenshot(str(screenshot))
    assert green > 2000, f"no isochrone drawn ({green} green pixels) {where}"
    assert "places before" in browser.find_element(By.ID, "status").text, where
    assert screenshot.stat().st_size > 10_000, where


def test_the_page_shows_every_ward_and_commune_with_its_story_and_bus_time(
    server: tuple[str, str], browser: Any
) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    api, _ = server
    screenshot = _artefact("operator-communes.png")
    browser.get(f"{api}/operators/")
    body = browser.find_element(By.TAG_NAME, "body")
    try:
        WebDriverWait(browser, 120).until(lambda _: body.get_attribute("data-coverage"))
    finally:
        browser.save_screenshot(str(screenshot))
    where = f"(screenshot: {screenshot})"
    coverage = {unit["id"]: unit for unit in httpx.get(f"{api}/v1/operators/communes", timeout=60).json()["units"]}
    listed = httpx.get(f"{api}/v1/communes", timeout=30).json()["communes"]
    verified = sum(unit["status"] == "verified" for unit in listed)
    rows = browser.find_elements(By.CSS_SELECTOR, "#coverage tbody tr")
    assert len(rows) == 126 == len(listed), where
    shown = {
        row.get_attribute("data-unit-id"): [
            cell.get_attribute("textContent") for cell in row.find_elements(By.TAG_NAME, "td")
        ]
        for row in rows
    }
    assert shown.keys() == {unit["id"] for unit in listed}, where
    assert sum(cells[1] == "✓ verified" for cells in shown.values()) == verified, where
    assert browser.find_element(By.ID, "coverage-summary").text.startswith(f"{verified} of 126 units"), where
    for unit_id, (_, _, place, minutes) in shown.items():
        unit = coverage[unit_id]
        transit = unit["transit_from_hoan_kiem"]
        assert place == (unit["signature_place"]["name"] if unit["signature_place"] else "–"), unit_id
        expected = (
            "–" if transit is None else "no bus" if transit["duration_min"] is None else f"{transit['duration_min']:g}"
        )
        assert minutes == expected, (unit_id, minutes, transit)
    assert float(shown["xa-bat-trang"][3]) > 30, shown["xa-bat-trang"]

    # A row centres the map on its signature place and shows the layer: diamonds labelled "Unit · N min".
    row = browser.find_element(By.CSS_SELECTOR, "#coverage tr[data-unit-id='xa-bat-trang']")
    browser.execute_script("arguments[0].scrollIntoView({block: 'center'})", row)
    row.click()
    assert browser.find_element(By.ID, "coverage-layer").is_selected(), where
    browser.find_element(By.ID, "zoom-out").click()
    WebDriverWait(browser, 10).until(
        lambda _: "xa-bat-trang" in browser.execute_script("return window.operatorMap.labels()")["units"]
    )
    labels = browser.execute_script("return window.operatorMap.labels()")
    assert len(labels["units"]) >= 3, labels
    browser.save_screenshot(str(screenshot))
    assert screenshot.stat().st_size > 10_000, where
