"""``heritage serve``: the HTTP API on the current bundle."""

from __future__ import annotations

from typing import Annotated

import typer

from api.city import default_bundle_path
from api.settings import get_settings
from cli.console import fail
from cli.errors import domain_errors


def serve(
    host: Annotated[str | None, typer.Option(help="Interface to bind (default HERITAGE_HOST or 127.0.0.1).")] = None,
    port: Annotated[int | None, typer.Option(help="Port (default HERITAGE_PORT or 8000).")] = None,
    workers: Annotated[int, typer.Option(min=1, help="Worker processes.")] = 1,
) -> None:
    """Serve the API. The bundle for the current inputs must exist: run `heritage build` first."""
    import uvicorn

    settings = get_settings()
    with domain_errors():
        bundle = default_bundle_path(settings)
        if not bundle.is_dir():
            fail(f"no bundle at {bundle} for the current inputs; run `heritage build` first")
    uvicorn.run(
        "api.app:create_app",
        factory=True,
        host=host or settings.host,
        port=port or settings.port,
        workers=workers,
        log_level="info",
    )
