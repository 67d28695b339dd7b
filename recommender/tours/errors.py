"""Errors of the tour-recommendation harness."""

from __future__ import annotations

from recommender.errors import RecommenderError


class TourDataError(RecommenderError):
    """A cikm16 data folder, city or file is missing, unknown or malformed (the message names which and where)."""


class TourOutputError(RecommenderError):
    """A predictions file cannot be written (the message names the path)."""
