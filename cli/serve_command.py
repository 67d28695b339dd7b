"""``heritage serve``: the HTTP API on the current bundle."""

from __future__ import annotations

import os
import signal
import sys
import time
from pathlib import Path
from typing import Annotated, Any

import typer

from api.city import default_bundle_path
from api.settings import Settings, get_settings
from cli.console import fail
from cli.errors import domain_errors

RESPAWN_LIMIT = 5
"""Workers that may die within :data:`RESPAWN_WINDOW_S` before the server gives up (a crash loop)."""
RESPAWN_WINDOW_S = 30.0
GRACEFUL_SHUTDOWN_S = 15
"""Seconds a stopping worker lets its open requests finish."""
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
    workers: Annotated[int, typer.Option(min=1, help="Worker processes.")] = 1,
) -> None:
    """Serve the API. The bundle for the current inputs must exist: run `heritage build` first.

    The server imports the code, loads the bundle and makes one warm-up plan once; with several workers it then
    forks them, and they share one listening socket (and the bundle's memory, copy-on-write) and are restarted
    when one dies. Plans go to one queue that every worker takes from, first come first served, whichever worker
    holds the connection (see api/planning.py).
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
    if workers == 1:
        from api.app import create_app

        uvicorn.run(create_app(**loaded), **options)
        return
    with domain_errors():
        _serve_forked(loaded, workers=workers, options=options)


def _load_and_warm_up(bundle: Path) -> dict[str, Any]:
    """``create_app``'s city, router and preference model, loaded once and warmed up by one plan.

    The first traveller then does not wait for lazy set-up, and a bad model file is one line, not a traceback.
    """
    from api.app import load_preference_model
    from api.city import open_city
    from api.planning import warm_up
    from routing.city_router import CityRouter

    city = open_city(bundle)
    model_path = get_settings().preference_model_path
    model = None
    if model_path is not None:
        try:
            model = load_preference_model(model_path, city)
        except RuntimeError as exc:
            fail(str(exc))
    router = CityRouter(city.bundle)
    typer.echo(f"loaded {bundle.name}; warm-up plans (walk, bus) in {warm_up(city, router, model):.2f} s", err=True)
    return {"city": city, "router": router, "preference_model": model}


def _serve_forked(loaded: dict[str, Any], *, workers: int, options: dict[str, Any]) -> None:
    """Fork ``workers`` uvicorn servers on one socket, forward SIGINT/SIGTERM and restart crashed ones."""
    import uvicorn

    from api.app import create_app
    from api.planning import SharedPlanning

    listening = uvicorn.Config(create_app, factory=True, **options).bind_socket()
    planning = SharedPlanning(workers)

    class WorkerServer(uvicorn.Server):
        """A uvicorn server that tells the shared plan queue at once when it is asked to stop."""

        def handle_exit(self, sig: int, frame: Any) -> None:
            planning.stop()
            super().handle_exit(sig, frame)

    def start_worker(index: int) -> int:
        pid = os.fork()
        if pid == 0:  # the worker: its own app, event loop and connections
            signal.signal(signal.SIGINT, signal.SIG_DFL)
            signal.signal(signal.SIGTERM, signal.SIG_DFL)
            code = 0
            try:
                app = create_app(**loaded, planning=planning.attach(index))
                config = uvicorn.Config(app, timeout_graceful_shutdown=GRACEFUL_SHUTDOWN_S, **options)
                WorkerServer(config).run(sockets=[listening])
            except SystemExit as exc:  # uvicorn exits this way when the app fails to start
                code = exc.code if isinstance(exc.code, int) else 1
            except BaseException:  # report it and leave the child, whatever happened
                import traceback

                traceback.print_exc()
                code = 1
            finally:
                sys.stderr.flush()
                os._exit(code)
        return pid

    children = {start_worker(index): index for index in range(workers)}
    stopping = False

    def stop(signum: int, frame: object) -> None:
        nonlocal stopping
        stopping = True
        for pid in list(children):
            try:
                os.kill(pid, signal.SIGTERM)
            except ProcessLookupError:
                continue

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    deaths: list[float] = []
    while children:
        try:
            pid, status = os.wait()
        except ChildProcessError:
            break
        index = children.pop(pid, None)
        if index is None:
            continue
        if stopping:
            continue
        now = time.monotonic()
        deaths = [moment for moment in deaths if now - moment < RESPAWN_WINDOW_S] + [now]
        code = os.waitstatus_to_exitcode(status)
        if len(deaths) > RESPAWN_LIMIT:
            stop(signal.SIGTERM, None)
            fail(f"workers keep dying (the last with exit code {code}); stopping")
        typer.echo(f"worker {pid} exited with code {code}; starting another", err=True)
        children[start_worker(index)] = index
    listening.close()
