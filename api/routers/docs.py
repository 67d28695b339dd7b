"""The interactive documentation, ``/docs`` (Swagger UI) and ``/redoc`` (ReDoc), with nothing from a CDN.

FastAPI's own pages load their scripts from a CDN and are blank without internet. Here the same pages load them from
the service: the files come from the ``fastapi-offline`` package (pinned in ``pyproject.toml``; a new version of it
brings new Swagger UI and ReDoc builds) and are served under ``/docs/assets/``, beside the pages themselves.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Final

import fastapi_offline
from fastapi import FastAPI, Request
from fastapi.openapi.docs import (
    get_redoc_html,
    get_swagger_ui_html,
    get_swagger_ui_oauth2_redirect_html,
    swagger_ui_default_parameters,
)
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

ASSETS_DIR: Final[Path] = Path(fastapi_offline.__file__).resolve().parent / "static"
"""swagger-ui-bundle.js, swagger-ui.css, redoc.standalone.js and favicon.png, as the package ships them."""
DOCS_URL: Final[str] = "/docs"
REDOC_URL: Final[str] = "/redoc"
ASSETS_URL: Final[str] = "/docs/assets"
OAUTH2_REDIRECT_URL: Final[str] = "/docs/oauth2-redirect"
SWAGGER_UI_PARAMETERS: Final[dict[str, Any]] = {**swagger_ui_default_parameters, "validatorUrl": None}
"""FastAPI's defaults, without the badge that Swagger UI would fetch from its online validator."""


def install_docs(app: FastAPI) -> None:
    """Serve ``/docs``, ``/docs/oauth2-redirect`` and ``/redoc`` with their assets from this service.

    The app must be made with ``docs_url=None`` and ``redoc_url=None`` (FastAPI's CDN pages switched off).

    Raises
    ------
    RuntimeError
        If the ``fastapi-offline`` package ships no assets where this module expects them (a broken install).
    """
    missing = [
        name
        for name in ("swagger-ui-bundle.js", "swagger-ui.css", "redoc.standalone.js", "favicon.png")
        if not (ASSETS_DIR / name).is_file()
    ]
    if missing:
        raise RuntimeError(f"fastapi-offline ships no {', '.join(missing)} in {ASSETS_DIR}: reinstall the service")
    app.mount(ASSETS_URL, StaticFiles(directory=ASSETS_DIR), name="docs-assets")

    def root(request: Request) -> str:
        return str(request.scope.get("root_path", "")).rstrip("/")

    @app.get(DOCS_URL, include_in_schema=False)
    async def swagger_ui(request: Request) -> HTMLResponse:
        base = root(request)
        return get_swagger_ui_html(
            openapi_url=f"{base}{app.openapi_url}",
            title=f"{app.title} - Swagger UI",
            oauth2_redirect_url=f"{base}{OAUTH2_REDIRECT_URL}",
            swagger_js_url=f"{base}{ASSETS_URL}/swagger-ui-bundle.js",
            swagger_css_url=f"{base}{ASSETS_URL}/swagger-ui.css",
            swagger_favicon_url=f"{base}{ASSETS_URL}/favicon.png",
            swagger_ui_parameters=SWAGGER_UI_PARAMETERS,
        )

    @app.get(OAUTH2_REDIRECT_URL, include_in_schema=False)
    async def swagger_ui_oauth2_redirect() -> HTMLResponse:
        return get_swagger_ui_oauth2_redirect_html()

    @app.get(REDOC_URL, include_in_schema=False)
    async def redoc(request: Request) -> HTMLResponse:
        base = root(request)
        return get_redoc_html(
            openapi_url=f"{base}{app.openapi_url}",
            title=f"{app.title} - ReDoc",
            redoc_js_url=f"{base}{ASSETS_URL}/redoc.standalone.js",
            redoc_favicon_url=f"{base}{ASSETS_URL}/favicon.png",
            with_google_fonts=False,
        )
