"""Nothing from a CDN: every page the service serves loads its scripts, styles and icons from the service itself."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest
from fastapi.testclient import TestClient

from api.routers.docs import ASSETS_DIR

STATIC_DIR = Path(__file__).resolve().parents[2] / "api" / "static"
PAGES = ["/docs", "/redoc", "/docs/oauth2-redirect", "/operators/"]
# CSS @import / url() and JS import statements that name another host.
EXTERNAL_IN_TEXT = re.compile(r"""(?:@import\s+|url\(\s*|\bimport\s*\(?\s*|\bfrom\s+)['"]?(?:https?:)?//""", re.I)


class _References(HTMLParser):
    """Every URL a page makes the browser load: scripts, stylesheets, icons, images, frames."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag in {"script", "img", "iframe"} and values.get("src"):
            self.urls.append(str(values["src"]))
        if tag == "link" and values.get("href"):
            self.urls.append(str(values["href"]))


def references(page: str) -> list[str]:
    parser = _References()
    parser.feed(page)
    return parser.urls


def is_external(url: str) -> bool:
    parts = urlsplit(url)
    return bool(parts.netloc) or parts.scheme not in {"", "data", "blob"}


def static_pages() -> list[str]:
    return ["/" + str(path.relative_to(STATIC_DIR)) for path in sorted(STATIC_DIR.rglob("*.html"))]


def test_the_static_pages_are_all_checked() -> None:
    assert static_pages() == ["/operators/index.html"]


@pytest.mark.parametrize("path", PAGES + static_pages())
def test_a_page_loads_nothing_from_another_host(client: TestClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/html")
    urls = references(response.text)
    external = [url for url in urls if is_external(url)]
    assert not external, f"{path} loads {external}"
    assert "cdn." not in response.text.lower(), path
    assert "fonts.googleapis" not in response.text, path
    for url in urls:
        if url.startswith(("data:", "blob:")):
            continue
        asset = client.get(urljoin(f"http://testserver{path}", url))
        assert asset.status_code == 200, f"{path} -> {url}: {asset.status_code}"
        assert len(asset.content) > 0, url
        if not url.startswith("/docs/assets/"):  # our own scripts and styles (the browser test runs the vendored ones)
            assert not EXTERNAL_IN_TEXT.search(asset.text), url


def test_docs_load_the_packaged_swagger_ui_and_redoc(client: TestClient) -> None:
    docs = references(client.get("/docs").text)
    assert "/docs/assets/swagger-ui-bundle.js" in docs
    assert "/docs/assets/swagger-ui.css" in docs
    assert "/docs/assets/redoc.standalone.js" in references(client.get("/redoc").text)
    # The service serves the very files the pinned package ships (no hand-made copies in the repository).
    served = client.get("/docs/assets/swagger-ui-bundle.js")
    assert served.headers["content-type"].startswith(("text/javascript", "application/javascript"))
    assert served.content == (ASSETS_DIR / "swagger-ui-bundle.js").read_bytes()
    assert client.get("/docs/assets/redoc.standalone.js").content == (ASSETS_DIR / "redoc.standalone.js").read_bytes()
    assert '"validatorUrl": null' in client.get("/docs").text  # no badge image from Swagger's online validator
    assert client.get("/docs/assets/nothing.js").status_code == 404
    assert not list(STATIC_DIR.rglob("swagger-ui*"))
    assert not list(STATIC_DIR.rglob("redoc*"))


def test_the_docs_pages_are_not_in_the_openapi_document(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    assert not [path for path in paths if path.startswith(("/docs", "/redoc"))]
