"""``heritage serve``: the HTTP API on the current bundle."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from api.city import default_bundle_path
from api.settings import Settings, get_settings
from cli.console import fail
from cli.errors import domain_errors

GRACEFUL_SHUTDOWN_S = 15
"""Seconds a stopping server lets its open requests finish (SIGTERM; see docs/DEPLOY.md)."""
HEADERS_TOO_LARGE = (
    b'{"type":"https://heritage.example/problems/headers-too-large","title":"Request headers too large","status":431}'
)


def limited_http_protocol(max_header_bytes: int) -> Any:
    """Uvicorn's httptools protocol that answers 431 and closes once a request's head passes ``max_header_bytes``.

    httptools has no limit of its own (a 50 MB header was read whole); this counts the bytes received between the
    start of a request and the end of its headers, so at most the limit plus one read is buffered. Without httptools,
    h11's ``h11_max_incomplete_event_size`` is used instead (see :func:`server_options`).
    """
    from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

    response = (
        b"HTTP/1.1 431 Request Header Fields Too Large\r\ncontent-type: application/problem+json\r\n"
        b"content-length: " + str(len(HEADERS_TOO_LARGE)).encode() + b"\r\nconnection: close\r\n\r\n"
    ) + HEADERS_TOO_LARGE

    class LimitedHttpToolsProtocol(HttpToolsProtocol):
        """HttpToolsProtocol with a bound on the request line + headers."""

        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self.head_bytes = 0
            self.reading_head = True

        def data_received(self, data: bytes) -> None:
            if self.reading_head:
                self.head_bytes += len(data)
                if self.head_bytes > max_header_bytes:
                    self.reading_head = False
                    self.logger.warning("request headers over %d bytes: 431, connection closed", max_header_bytes)
                    self.transport.write(response)
                    self.transport.close()
                    return
            super().data_received(data)

        def on_headers_complete(self) -> None:
            self.reading_head = False
            self.head_bytes = 0
            super().on_headers_complete()

        def on_message_complete(self) -> None:
            super().on_message_complete()
            self.reading_head = True
            self.head_bytes = 0

    return LimitedHttpToolsProtocol


def server_options(settings: Settings, *, host: str | None = None, port: int | None = None) -> dict[str, Any]:
    """Uvicorn's options for the service: address, logs, header limit; forwarded headers are the app's to judge.

    uvicorn's own proxy-header handling is off: it would believe X-Forwarded-For from any local peer; the service
    middleware believes it only from ``HERITAGE_TRUSTED_PROXIES``.
    """
    options: dict[str, Any] = {
        "host": host or settings.host,
        "port": port or settings.port,
        "log_level": "info",
        "access_log": False,  # the service logs one JSON line per request itself
        "proxy_headers": False,
    }
    try:
        import httptools  # noqa: F401 - only whether it is installed
    except ImportError:
        options |= {"http": "h11", "h11_max_incomplete_event_size": settings.max_header_bytes}
    else:
        options["http"] = limited_http_protocol(settings.max_header_bytes)
    return options


def serve(
    host: Annotated[str | None, typer.Option(help="Interface to bind (default HERITAGE_HOST or 127.0.0.1).")] = None,
    port: Annotated[int | None, typer.Option(help="Port (default HERITAGE_PORT or 8000).")] = None,
) -> None:
    """Serve the API in one process. The bundle for the current inputs must exist: run `heritage build` first.

    The server loads the bundle and makes one warm-up plan before it listens, then plans one request at a time.
    For more throughput run several of these replicas behind a proxy that balances each request (deploy/ and
    docs/DEPLOY.md: nginx, PostgreSQL and Redis shared). SIGTERM lets open requests finish for up to 15 s.
    """
    import uvicorn
    from pydantic import ValidationError

    try:
        settings = get_settings()  # a refused value is never echoed (Settings hides inputs in its errors)
        settings.check_secrets()
    except (RuntimeError, ValidationError) as exc:
        fail(str(exc))
    with domain_errors():
        bundle = default_bundle_path(settings)
        if not bundle.is_dir():
            fail(f"no bundle at {bundle} for the current inputs; run `heritage build` first")
    options = server_options(settings, host=host, port=port)
    with domain_errors():
        loaded = _load_and_warm_up(bundle)
    from api.app import create_app

    uvicorn.run(create_app(**loaded), timeout_graceful_shutdown=GRACEFUL_SHUTDOWN_S, **options)


def _load_and_warm_up(bundle: Path) -> dict[str, Any]:
    """``create_app``'s city, router and preference model, loaded once and warmed up by one plan.

    The first traveller then does not wait for lazy set-up, and a bad model file is one line, not a traceback.
    """
    from api.app import load_preference_model
    from api.city import city_router, open_city
    from api.planner import warm_up

    city = open_city(bundle)
    model_path = get_settings().preference_model_path
    model = None
    if model_path is not None:
        try:
            model = load_preference_model(model_path, city)
        except RuntimeError as exc:
            fail(str(exc))
    router = city_router(city)
    typer.echo(f"loaded {bundle.name}; warm-up plans (walk, bus) in {warm_up(city, router, model):.2f} s", err=True)
    return {"city": city, "router": router, "preference_model": model}
