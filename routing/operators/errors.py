"""The error a line design raises when a request cannot make a line: it names the request field at fault."""

from __future__ import annotations

from routing.errors import OutsideAreaError, RoutingError


class LineDesignError(RoutingError):
    """A line cannot be designed from this request; ``field`` is the request field to change.

    Fields: ``place_ids``, ``interests``, ``headway_min``, ``max_fleet``, ``start``, ``end``, ``service_hours``,
    ``objective`` (the API's names; the CLI maps them to its options). ``blocking`` lists the places that
    stop the line, with the reason for each, when places are the cause.
    """

    field: str

    def __init__(self, field: str, message: str, *, blocking: tuple[tuple[str, str], ...] = ()) -> None:
        super().__init__(message, field=field)
        self.blocking = blocking


class TerminalOutsideAreaError(LineDesignError, OutsideAreaError):
    """A terminal lies outside the area the drive graph covers (``field``: start or end)."""
