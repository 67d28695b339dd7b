"""Feedback events (visits, likes, ratings, skips): the log format, a synthetic Hanoi log, the interaction matrix."""

from recommender.feedback.events import EventKind, FeedbackError, FeedbackEvent, read_events, write_events
from recommender.feedback.interactions import Interactions, build_interactions
from recommender.feedback.synthetic import SyntheticSettings, synthetic_events

__all__ = [
    "EventKind",
    "FeedbackError",
    "FeedbackEvent",
    "Interactions",
    "SyntheticSettings",
    "build_interactions",
    "read_events",
    "synthetic_events",
    "write_events",
]
