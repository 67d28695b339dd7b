"""Feedback events from the app (batched for offline use); acknowledged only once committed."""

from __future__ import annotations

from fastapi import APIRouter

from api.deps import SessionDep, UserDep
from api.errors import invalid
from api.schemas import FeedbackBatch, FeedbackResponse
from api.store import repositories

router = APIRouter(prefix="/v1", tags=["feedback"])


@router.post(
    "/feedback",
    responses={
        401: {"description": "Missing or invalid token"},
        503: {"description": "Database unavailable: nothing was stored, resend the batch"},
    },
)
def post_feedback(batch: FeedbackBatch, user: UserDep, session: SessionDep) -> FeedbackResponse:
    """Store a batch of visit, like, rating and skip events; re-sending events (same ``event_id``) is harmless."""
    events: dict[str, dict[str, object]] = {}
    for index, event in enumerate(batch.events):
        if event.kind == "rating" and event.rating is None:
            raise invalid(f"events.{index}.rating", "a rating event needs a rating 1..5")
        events.setdefault(event.event_id, event.model_dump())
    acknowledged = repositories.record_feedback(session, user.id, list(events.values()))
    return FeedbackResponse(acknowledged=acknowledged)
