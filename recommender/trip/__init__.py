"""Tourist trips on top of the planner: opening hours per date, meals, pace, walking limits, multi-day plans.

:func:`plan_trip` turns a :class:`TripRequest` into an :class:`Itinerary` whose legs are routed for real.
"""

from recommender.trip.errors import (
    InvalidWindowError,
    MustVisitError,
    TooManyDaysError,
    TripError,
    WindowTooShortError,
)
from recommender.trip.itinerary import DayPlan, Itinerary, PlannedLeg, PlannedVisit
from recommender.trip.plan import plan_trip
from recommender.trip.request import MAX_DAYS, Pace, TravelMode, TripRequest, parse_window

__all__ = [
    "MAX_DAYS",
    "DayPlan",
    "InvalidWindowError",
    "Itinerary",
    "MustVisitError",
    "Pace",
    "PlannedLeg",
    "PlannedVisit",
    "TooManyDaysError",
    "TravelMode",
    "TripError",
    "TripRequest",
    "WindowTooShortError",
    "parse_window",
    "plan_trip",
]
