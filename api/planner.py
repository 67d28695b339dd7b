"""Where plans are computed: in the serving process, one at a time, and the warm-up before it serves.

Planning is CPU-bound Python (tens of milliseconds of a core a plan: ``server_cpu_ms_per_request`` in bench/api),
and the search stops on a wall-clock cap as well as after a number of rounds, so ten plans sharing a core and the
GIL would all finish late and searched less: a process plans one request at a time (:class:`Planner`). More
throughput comes from more processes — replicas behind a proxy that balances each request (deploy/, docs/DEPLOY.md)
— not from threads.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from api.schemas import ATTRIBUTION
from recommender.city import City
from recommender.errors import RecommenderError
from recommender.locate import Location
from recommender.preference import PreferenceModel
from recommender.scoring import Interests
from recommender.trip import TravelMode, TripRequest, plan_trip
from recommender.trip.itinerary import GeometryFormat
from routing import CityRouter, RoutingError

logger = logging.getLogger("api")
PlanAnswer = dict[str, Any]
"""The body of a ``POST /v1/plans`` answer, plain JSON."""
WARM_UP_STARTS = 10
"""Catalogue places tried, in order, as the warm-up's start point."""


def plan_answer(
    city: City, router: CityRouter, request: TripRequest, model: PreferenceModel | None = None
) -> PlanAnswer:
    """Plan ``request`` (with the learnt ``model`` when the service has one) and shape the answer as ``PlanResponse``.

    Built as plain JSON directly: validating the nested plan through pydantic again cost 5 ms a plan (15 % of its
    CPU) for values that are already plain JSON. The legs' lines are GeoJSON here (full precision); the plans
    router writes them in the format the caller asked for (``recommender.trip.itinerary.with_geometry``).
    """
    itinerary = plan_trip(city, router, request, model=model)
    return {"itinerary": itinerary.to_dict(geometry=GeometryFormat.GEOJSON), "attribution": ATTRIBUTION}


def warm_up(city: City, router: CityRouter, model: PreferenceModel | None = None) -> float:
    """Plan a walking day and a bus day so that what plans use is loaded before the first traveller waits for it.

    A fresh process's first plans load (or, on a new machine, compile) numba's kernels and build the router's lazy
    one-to-many and bus engines: seconds of wait, measured by bench/api's ``first_plan_ms``. ``heritage serve``
    pays it before it accepts connections (a replica is not ready before), with the router it then serves with.
    The start is a point, not a place, as from a hotel; each mode has its own kernels. Best effort: a bundle too
    small for these plans only logs why. Returns the seconds it took.
    """
    started = time.perf_counter()
    for mode in (TravelMode.WALK, TravelMode.BUS):
        failure: Exception | None = None
        for place in city.catalogue.places[:WARM_UP_STARTS]:  # the first whose point is near a street
            request = TripRequest(
                start=Location(place.lat, place.lon),
                end=None,
                date=dt.date(2026, 12, 1),
                window_start_s=9 * 3600,
                window_end_s=19 * 3600,
                interests=Interests.parse({"heritage": 1.0, "cuisine": 0.5, "craft_village": 0.5}),
                mode=mode,
                time_limit_s=0.05,
            )
            try:
                plan_answer(city, router, request, model)
            except (RecommenderError, RoutingError) as exc:
                failure = exc
                continue
            failure = None
            break
        if failure is not None:
            logger.warning("warm-up %s plan failed (%s); the first plans will be slower", mode.value, failure)
    return time.perf_counter() - started


class Planner:
    """Plans for the plans endpoint, one at a time per process, first come first served.

    One planning thread takes the requests in the order they came (a lock would wake its waiters in any order,
    and the unlucky ones would wait for many plans: the tail latency); the asking thread (FastAPI's thread pool)
    waits for its answer.
    """

    def __init__(self, plan: Callable[[TripRequest], PlanAnswer]) -> None:
        self._plan = plan
        self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="planner")

    def plan(self, request: TripRequest) -> PlanAnswer:
        """Wait for this request's turn, then plan; the planner's errors are raised here."""
        return self._thread.submit(self._plan, request).result()

    def close(self) -> None:
        """Let the plans already asked for finish, then stop the planning thread (at shutdown)."""
        self._thread.shutdown(wait=True)
