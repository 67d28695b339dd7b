"""Why a trip cannot be planned as asked: each error names the request field and the constraint at fault."""

from __future__ import annotations

from recommender.errors import RecommenderError


class TripError(RecommenderError):
    """Base of the trip planner's errors.

    Attributes
    ----------
    field : str
        The request field at fault (``window``, ``days``, ``must_visit``...), for an API's error pointer.
    """

    field = "request"

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        if field is not None:
            self.field = field


class InvalidWindowError(TripError):
    """The day window is malformed: the end is not after the start, or it is longer than a day allows."""

    field = "window"


class WindowTooShortError(TripError):
    """The day window is shorter than the shortest visit at the chosen pace."""

    field = "window"


class TooManyDaysError(TripError):
    """The trip asks for fewer than one or more than the most days planned at once."""

    field = "days"


class MustVisitError(TripError):
    """A must-visit place cannot be visited: closed on the trip's days, unreachable, avoided or not fitting."""

    field = "must_visit"
