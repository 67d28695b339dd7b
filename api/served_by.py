"""``X-Served-By``: which replica answered, so that an operator (and the two-replica test) can tell behind a proxy."""

from __future__ import annotations

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send


class ServedByMiddleware:
    """Add ``X-Served-By: <server_id>`` (``HERITAGE_SERVER_ID``, not a secret) to every HTTP answer."""

    def __init__(self, app: ASGIApp, *, server_id: str) -> None:
        self.app = app
        self.server_id = server_id

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Pass the request on; name this replica in the answer's head."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_header(message: Message) -> None:
            if message["type"] == "http.response.start":
                MutableHeaders(scope=message)["X-Served-By"] = self.server_id
            await send(message)

        await self.app(scope, receive, send_with_header)
