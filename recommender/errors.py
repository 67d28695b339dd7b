"""The recommender package's exception hierarchy."""

from __future__ import annotations


class RecommenderError(Exception):
    """Base of every error raised by :mod:`recommender`."""
