"""The recommender package's exception hierarchy."""

from __future__ import annotations


class RecommenderError(Exception):
    """Base of every error raised by :mod:`recommender`.

    ``field`` names the request field at fault where one is (``RecommenderError(msg, field="start")``), so the API's
    problem+json points at it without reading the message text.
    """

    field: str | None = None

    def __init__(self, *args: object, field: str | None = None) -> None:
        super().__init__(*args)
        if field is not None:
            self.field = field
