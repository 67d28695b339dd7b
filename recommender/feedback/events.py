"""Feedback events and their log file: one JSON object per line.

``{"user_id": "u17", "place_id": "bat-trang-ceramic-village", "kind": "rating", "value": 4.5,
"at": "2026-11-24T10:12:00+07:00", "synthetic": true}`` — the same shape the API stores and exports, so a
model trained on the synthetic log trains unchanged on real users' events.
"""

from __future__ import annotations

import datetime as dt
import os
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

import orjson

from recommender.errors import RecommenderError


class FeedbackError(RecommenderError):
    """A feedback log is missing or a line of it is malformed (the message names the file and line)."""


class EventKind(StrEnum):
    """What the traveller did: went there, liked it, rated it (value 1..5), or skipped a planned visit."""

    VISIT = "visit"
    LIKE = "like"
    RATING = "rating"
    SKIP = "skip"


@dataclass(frozen=True)
class FeedbackEvent:
    """One event; ``value`` is the rating for ``rating`` events and 1.0 otherwise."""

    user_id: str
    place_id: str
    kind: EventKind
    at: dt.datetime
    value: float = 1.0
    synthetic: bool = False

    def to_json(self) -> dict[str, object]:
        """The log line's fields."""
        return {
            "user_id": self.user_id,
            "place_id": self.place_id,
            "kind": self.kind.value,
            "value": self.value,
            "at": self.at.isoformat(),
            "synthetic": self.synthetic,
        }


def parse_event(record: object) -> FeedbackEvent:
    """One event from a decoded log line.

    Raises
    ------
    ValueError
        Naming the field at fault.
    TypeError
        If the line is not a JSON object.
    """
    if not isinstance(record, dict):
        raise TypeError("a log line must be a JSON object")
    try:
        user_id, place_id = str(record["user_id"]), str(record["place_id"])
        kind = EventKind(str(record["kind"]))
        at = dt.datetime.fromisoformat(str(record["at"]))
    except KeyError as exc:
        raise ValueError(f"missing field {exc.args[0]!r}") from exc
    value = float(record.get("value", 1.0))
    if kind is EventKind.RATING and not 1.0 <= value <= 5.0:
        raise ValueError(f"a rating must be 1..5, got {value}")
    if not user_id or not place_id:
        raise ValueError("user_id and place_id must not be empty")
    return FeedbackEvent(user_id, place_id, kind, at, value, bool(record.get("synthetic", False)))


def read_events(path: Path) -> list[FeedbackEvent]:
    """Read a JSONL feedback log.

    Raises
    ------
    FeedbackError
        If the file is missing, or a line is not JSON or not a valid event (file and line in the message).
    """
    try:
        lines = Path(path).read_bytes().splitlines()
    except OSError as exc:
        raise FeedbackError(f"{path}: cannot read the feedback log ({exc.strerror})") from exc
    events = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            events.append(parse_event(orjson.loads(line)))
        except (orjson.JSONDecodeError, ValueError, TypeError) as exc:
            raise FeedbackError(f"{path}:{number}: {exc}") from exc
    return events


def write_events(path: Path, events: Iterable[FeedbackEvent]) -> None:
    """Write a JSONL log atomically (a temporary file in the same folder, then a rename)."""
    target = Path(path)
    handle, temporary = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
    try:
        with os.fdopen(handle, "wb") as out:
            for event in events:
                out.write(orjson.dumps(event.to_json()) + b"\n")
        Path(temporary).replace(target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
