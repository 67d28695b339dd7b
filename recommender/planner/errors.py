"""The planner's exceptions; each message names the constraint or the input that is at fault."""

from __future__ import annotations

from recommender.errors import RecommenderError


class PlannerError(RecommenderError):
    """Base of every error raised by :mod:`recommender.planner`."""


class InvalidProblemError(PlannerError):
    """The arrays of a :class:`~recommender.planner.problem.Problem` are inconsistent (shape, range, order)."""


class InfeasibleProblemError(PlannerError):
    """No plan can meet a hard constraint.

    Raised for a mandatory visit that fits on no day, or mandatory visits that cannot all be placed together.
    """


class MalformedInstanceError(PlannerError):
    """A benchmark instance file does not follow its format; the message names the file and the line."""

    def __init__(self, path: str, line: int, reason: str) -> None:
        super().__init__(f"{path}:{line}: {reason}")
        self.path = path
        self.line = line
        self.reason = reason
