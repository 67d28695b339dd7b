"""One ASGI middleware for what every request needs: a request id, the body limit, rate limits, ETags, metrics, logs."""

from __future__ import annotations

import hashlib
import ipaddress
import json
import logging
import time
import uuid
from typing import Any

from prometheus_client import Counter, Histogram
from starlette.routing import Match
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.cache import Cache
from api.errors import PROBLEM_BASE, PROBLEM_JSON
from api.settings import Settings

logger = logging.getLogger("api.access")
REQUESTS = Counter("heritage_http_requests_total", "HTTP requests answered", ["method", "route", "status"])
LATENCY = Histogram("heritage_http_request_duration_seconds", "Time to answer a request", ["method", "route"])
Early = tuple[int, str, str, str, dict[str, str]]
UNLIMITED = ("/health", "/ready", "/metrics", "/docs", "/redoc", "/openapi.json")
URL_CACHED = frozenset({"/v1/routes", "/v1/isochrones"})
"""GET paths whose 200 answers depend only on the URL, the language header and the bundle: cached by URL too."""
UNMATCHED = "unmatched"
"""The metrics' route label of every path that is none of the app's routes (one label, whatever the path)."""
CLIENT_KEYS = "heritage.client_keys"
"""The scope entry naming the request's client for the limits (``ip:...`` and, with a bearer token, ``token:...``):
the endpoints spend their cost budget (:meth:`api.cache.Cache.spend`) from the same clients' buckets."""
Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def parse_networks(entries: list[str]) -> tuple[Network, ...]:
    """The addresses and CIDR networks of ``HERITAGE_TRUSTED_PROXIES``.

    Raises
    ------
    ValueError
        If an entry is neither.
    """
    return tuple(ipaddress.ip_network(entry.strip(), strict=False) for entry in entries if entry.strip())


def _trusted(address: str, networks: tuple[Network, ...]) -> bool:
    try:
        ip = ipaddress.ip_address(address.strip())
    except ValueError:
        return False
    return any(ip in network for network in networks)


def route_label(scope: Scope) -> str:
    """The route template of the request for metrics: the app's route that matches, else :data:`UNMATCHED`.

    Also for answers given before routing (413, 429, a URL-cache hit), so a client cannot add series by varying
    the path.
    """
    route = scope.get("route")
    path = getattr(route, "path", None)
    if isinstance(path, str):
        return path
    found = _match_route(getattr(scope.get("app"), "routes", ()), scope)
    return found or UNMATCHED


def _match_route(routes: Any, scope: Scope) -> str | None:
    """The path template of the route among ``routes`` that matches ``scope`` (method or not), else None.

    Routers included in the app (FastAPI wraps them) are searched through their own routes.
    """
    partial: str | None = None
    for candidate in routes:
        match, _ = candidate.matches(scope)
        if match is Match.NONE:
            continue
        included = getattr(candidate, "original_router", None)
        candidate_path = getattr(candidate, "path", None)
        if included is not None:
            candidate_path = _match_route(getattr(included, "routes", ()), scope)
        if not isinstance(candidate_path, str):
            continue
        if match is Match.FULL:
            return candidate_path
        partial = partial or candidate_path  # the path matches, the method does not (a 405)
    return partial


class ServiceMiddleware:
    """What every request gets, around the app.

    A request id (``X-Request-ID``), the body limit (413), per-IP and per-token rate limits (429 with Retry-After),
    ``ETag`` / ``If-None-Match`` on successful GETs, Prometheus metrics and one JSON log line per request.

    GETs of the :data:`URL_CACHED` paths are also cached by URL (and Accept-Language): the rate-limit counters and
    that lookup share one Redis round trip, and a hit is answered here without routing, dependencies or validation.
    The endpoints' own cache (keyed by normalised parameters) still serves the same route asked in other words.
    """

    def __init__(self, app: ASGIApp, *, settings: Settings, cache: Cache) -> None:
        self.app = app
        self.settings = settings
        self.cache = cache
        self.trusted_proxies = parse_networks(settings.trusted_proxies)

    def _forwarded(self, scope: Scope, headers: dict[str, str]) -> None:
        """Take the client address (and scheme) from X-Forwarded-For (-Proto) when the peer is a trusted proxy.

        The client is the rightmost address not itself a trusted proxy (a client can prepend anything). From any
        other peer the headers are ignored: the per-address limit counts the peer.
        """
        client = scope.get("client")
        if not self.trusted_proxies or not client or not _trusted(client[0], self.trusted_proxies):
            return
        hops = [hop.strip() for hop in headers.get("x-forwarded-for", "").split(",") if hop.strip()]
        for hop in reversed(hops):
            if not _trusted(hop, self.trusted_proxies):
                scope["client"] = (hop, 0)
                break
        else:
            if hops:
                scope["client"] = (hops[0], 0)
        proto = headers.get("x-forwarded-proto", "").split(",")[-1].strip().lower()
        if proto in {"http", "https"}:
            scope["scheme"] = proto

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Handle one ASGI call."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        headers = {key.decode("latin-1").lower(): value.decode("latin-1") for key, value in scope["headers"]}
        request_id = headers.get("x-request-id", "")[:64] or uuid.uuid4().hex
        method: str = scope["method"]
        path: str = scope["path"]
        status_box = {"status": 500}
        url_key: str | None = None
        self._forwarded(scope, headers)

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                status_box["status"] = message["status"]
                message.setdefault("headers", [])
                message["headers"] = [*message["headers"], (b"x-request-id", request_id.encode())]
            await send(message)

        try:
            url_key = self._url_key(scope, headers)
            early, cached = await self._admit(scope, headers, path, url_key)
            if early is not None:
                await _send_problem(send_with_id, early)
                return
            if cached is not None:
                # A cache hit by URL: answered here, before routing, dependencies and validation.
                await self._with_etag(_cached_app(cached), scope, receive, send_with_id, headers.get("if-none-match"))
                return
            if method in {"POST", "PUT", "PATCH"}:
                body = await self._read_body(receive)
                if body is None:
                    limit = self.settings.max_body_bytes
                    await _send_problem(
                        send_with_id,
                        (413, "Request body too large", f"the limit is {limit} bytes", "body-too-large", {}),
                    )
                    return
                receive = _replay(body, receive)
            if method in {"GET", "HEAD"}:
                answered = await self._with_etag(self.app, scope, receive, send_with_id, headers.get("if-none-match"))
                if url_key is not None and answered is not None:
                    await self.cache.aset(url_key, answered, self.settings.cache_ttl_s)
            else:
                await self.app(scope, receive, send_with_id)
        finally:
            template = path if url_key is not None else route_label(scope)
            elapsed = time.perf_counter() - started
            REQUESTS.labels(method, template, str(status_box["status"])).inc()
            LATENCY.labels(method, template).observe(elapsed)
            logger.info(
                "request",
                extra={
                    "request_id": request_id,
                    "method": method,
                    "path": path,
                    "status": status_box["status"],
                    "duration_ms": round(elapsed * 1000, 1),
                },
            )

    def _url_key(self, scope: Scope, headers: dict[str, str]) -> str | None:
        """The cache key of a GET whose answer depends only on its URL and language, else None."""
        if scope["method"] != "GET" or scope["path"] not in URL_CACHED:
            return None
        city = getattr(getattr(scope.get("app"), "state", None), "city", None)
        if city is None:
            return None
        url = scope["path"] + "?" + scope.get("query_string", b"").decode("latin-1")
        digest = hashlib.sha256((url + "\n" + headers.get("accept-language", "")).encode()).hexdigest()[:40]
        return f"url:{city.bundle.name}:{digest}"

    async def _admit(
        self, scope: Scope, headers: dict[str, str], path: str, url_key: str | None
    ) -> tuple[Early | None, bytes | None]:
        """An early 413 or 429 answer or None to go on, and the cached answer of ``url_key`` (one Redis call)."""
        length = headers.get("content-length")
        if length is not None and length.isdigit() and int(length) > self.settings.max_body_bytes:
            limit = self.settings.max_body_bytes
            return (413, "Request body too large", f"the limit is {limit} bytes", "body-too-large", {}), None
        if path.startswith(UNLIMITED) or scope["method"] == "OPTIONS":
            return None, None
        client = scope.get("client")
        checks = [("ip:" + (client[0] if client else "unknown"), self.settings.rate_limit_ip_per_min)]
        authorization = headers.get("authorization", "")
        if authorization.lower().startswith("bearer "):
            digest = hashlib.sha256(authorization[7:].strip().encode()).hexdigest()[:32]
            checks.append(("token:" + digest, self.settings.rate_limit_token_per_min))
        scope[CLIENT_KEYS] = [key for key, _ in checks]
        decisions, cached = await self.cache.admit(checks, window_s=60, lookup=url_key)
        for (key, limit), decision in zip(checks, decisions, strict=True):
            if not decision.allowed:
                who = "this token" if key.startswith("token:") else "this address"
                return (
                    429,
                    "Too many requests",
                    f"more than {limit} requests a minute from {who}; retry after {decision.retry_after_s} s",
                    "rate-limited",
                    {"retry-after": str(decision.retry_after_s)},
                ), None
        return None, cached

    async def _read_body(self, receive: Receive) -> bytes | None:
        """The whole request body, or None as soon as it passes the limit (chunked bodies included)."""
        limit = self.settings.max_body_bytes
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":
                break
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > limit:
                return None
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        return b"".join(chunks)

    async def _with_etag(
        self, app: ASGIApp, scope: Scope, receive: Receive, send: Send, if_none_match: str | None
    ) -> bytes | None:
        """Buffer a 200 response of ``app``, give it a strong ETag of its body and answer 304 when the client has it.

        Returns the body of a 200 response, else None.
        """
        start: dict[str, Any] = {}
        chunks: list[bytes] = []
        answered: list[bytes] = []

        async def buffer(message: Message) -> None:
            if message["type"] == "http.response.start":
                if message["status"] != 200:
                    start["passthrough"] = True
                    await send(message)
                    return
                start.update(message)
                return
            if start.get("passthrough") or message["type"] != "http.response.body":
                await send(message)
                return
            chunks.append(message.get("body", b""))
            if message.get("more_body", False):
                return
            body = b"".join(chunks)
            answered.append(body)
            response_headers = [(k, v) for k, v in start["headers"] if k.lower() != b"etag"]
            existing = [v for k, v in start["headers"] if k.lower() == b"etag"]
            etag = existing[0].decode() if existing else '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
            response_headers.append((b"etag", etag.encode()))
            tags = {tag.strip() for tag in (if_none_match or "").split(",")}
            if "*" in tags or etag in tags:
                kept = [(k, v) for k, v in response_headers if k.lower() not in {b"content-length", b"content-type"}]
                await send({"type": "http.response.start", "status": 304, "headers": kept})
                await send({"type": "http.response.body", "body": b""})
                return
            await send({**start, "headers": response_headers})
            await send({"type": "http.response.body", "body": body})

        await app(scope, receive, buffer)
        return answered[0] if answered else None


class CompletedResponseGuard:
    """The outermost layer: an exception raised after its response was sent in full is not re-raised.

    Starlette's error middleware sends the 500 problem (logged by the handler) and then re-raises the exception
    for the server, and uvicorn closes the connection on an exception after a response: the client's next request
    on that keep-alive connection would fail too. A response cut short still closes the connection.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Handle one ASGI call."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        completed = False

        async def tracking(message: Message) -> None:
            nonlocal completed
            await send(message)
            if message["type"] == "http.response.body" and not message.get("more_body", False):
                completed = True

        try:
            await self.app(scope, receive, tracking)
        except Exception:
            if not completed:
                raise
            logger.debug("exception after a complete response; the connection stays open", exc_info=True)


async def _send_problem(send: Send, early: Early) -> None:
    status, title, detail, kind, extra = early
    body = json.dumps({"type": PROBLEM_BASE + kind, "title": title, "status": status, "detail": detail}).encode()
    headers = [(b"content-type", PROBLEM_JSON.encode()), (b"content-length", str(len(body)).encode())]
    headers += [(key.encode(), value.encode()) for key, value in extra.items()]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


def _cached_app(body: bytes) -> ASGIApp:
    """An ASGI app that answers a cached JSON body."""
    headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(body)).encode()),
        (b"x-cache", b"hit"),
    ]

    async def answer(scope: Scope, receive: Receive, send: Send) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": body})

    return answer


def _replay(body: bytes, receive: Receive) -> Receive:
    """A receive callable that hands the app the body already read, then defers to the server."""
    sent = {"body": False}

    async def replay() -> Message:
        if not sent["body"]:
            sent["body"] = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay


class JsonFormatter(logging.Formatter):
    """One JSON object per log line, with the request fields when present."""

    FIELDS = ("request_id", "method", "path", "status", "duration_ms")

    def format(self, record: logging.LogRecord) -> str:
        """The record as JSON."""
        payload: dict[str, Any] = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S%z"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        payload.update({name: getattr(record, name) for name in self.FIELDS if hasattr(record, name)})
        if record.exc_info:
            payload["exception"] = self.formatException(record.exc_info)
        return json.dumps(payload, ensure_ascii=False)


def configure_logging(*, json_lines: bool) -> None:
    """Send the ``api`` loggers to stderr, as JSON lines when asked (once per process)."""
    root = logging.getLogger("api")
    if any(getattr(handler, "_heritage", False) for handler in root.handlers):
        return
    handler = logging.StreamHandler()
    handler._heritage = True  # type: ignore[attr-defined]
    handler.setFormatter(JsonFormatter() if json_lines else logging.Formatter("%(levelname)s %(name)s %(message)s"))
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    root.propagate = False
