"""The routing package's exception hierarchy: one base, one subclass per kind of failure."""

from __future__ import annotations

from pathlib import Path


class RoutingError(Exception):
    """Base of every error raised by :mod:`routing`.

    ``field`` names the request field at fault when the caller passed it (``RoutingError(msg, field="from")``),
    so the API's problem+json and the CLI's message point at it without reading the message text.
    """

    def __init__(self, *args: object, field: str | None = None) -> None:
        super().__init__(*args)
        self.field = field


class InputDataError(RoutingError):
    """An input file (OSM extract, transit feed) is missing, corrupt or unusable.

    The message always names the file and, where one exists, the row or element at fault.
    """

    def __init__(self, path: Path | str, message: str, *, row: int | None = None) -> None:
        self.path = Path(path)
        self.row = row
        where = f"{self.path}" if row is None else f"{self.path}, row {row}"
        super().__init__(f"{where}: {message}")
        self.field = None


class BundleError(RoutingError):
    """A city bundle is missing, incomplete, corrupt or was built by another builder version."""


class OutsideAreaError(RoutingError):
    """A coordinate lies outside the area the bundle covers (or is not a valid coordinate at all)."""


class TooFarFromStreetError(RoutingError):
    """A point lies farther than the maximum snap distance from every street of the graph."""


class NoRouteError(RoutingError):
    """No path connects the two points on the network asked for (e.g. different components)."""


class NoServiceError(RoutingError):
    """No bus runs at the requested time (e.g. at night) or none serves the journey."""
