"""Where plans are computed: one at a time per worker process, and with forked workers from one shared queue.

Planning is CPU-bound Python (tens of milliseconds of a core a plan: ``server_cpu_ms_per_request`` in bench/api), so
a worker process plans one request at a time: ten plans sharing a core and the GIL all finish late. With several
forked workers there is a second trap: a keep-alive connection stays with the worker that accepted it, and one
worker often accepts most of them (bench/api's ``connections_per_worker``), so one worker would queue plans while
the other idles.
:class:`SharedPlanning` therefore puts every plan on one queue that the planner threads of all workers take from,
first come first served, and sends each answer back to the worker holding the connection:

* jobs travel over one ``SOCK_SEQPACKET`` socket pair made before the fork: every worker writes to one end and
  the kernel hands each message to exactly one reader of the other end (no lock that a dying process could leave
  held, as a ``multiprocessing`` queue's would);
* answers travel over one pipe per (planner, worker) pair, each with a single writer and a single reader.

A planner tells the asking worker when it takes a job. A job taken but not answered within ``timeout_s`` (its
planner died with it), one that no planner took within ``queue_timeout_s``, or one still waiting when the worker is
told to stop (:meth:`SharedPlanning.stop`, on SIGTERM), is planned by the asking worker itself; a stopping worker's
planner hands the job it took back to the queue and takes no more. Time spent queued behind other plans under
load does not count against ``timeout_s``, so a busy service does not plan the same request twice.
"""

from __future__ import annotations

import datetime as dt
import itertools
import logging
import multiprocessing as mp
import os
import pickle
import socket
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future
from concurrent.futures import TimeoutError as FutureTimeout
from multiprocessing.connection import Connection, wait
from typing import Any, Protocol, cast

from api.schemas import ATTRIBUTION
from recommender.city import City
from recommender.errors import RecommenderError
from recommender.locate import Location
from recommender.preference import PreferenceModel
from recommender.scoring import Interests
from recommender.trip import TravelMode, TripRequest, plan_trip
from recommender.trip.itinerary import GeometryFormat
from routing.city_router import CityRouter
from routing.errors import RoutingError

logger = logging.getLogger("api")
PlanAnswer = dict[str, Any]
"""The body of a ``POST /v1/plans`` answer, plain JSON."""
PlanFn = Callable[[TripRequest], PlanAnswer]
WAIT_STEP_S = 0.1
"""How often a waiting request checks whether its worker is stopping."""
MAX_JOB_BYTES = 1 << 20
WARM_UP_STARTS = 10
"""Catalogue places tried, in order, as the warm-up's start point."""
TAKEN, ANSWER, ERROR = "taken", "answer", "error"
"""Kinds of message a planner sends back to the asking worker."""
"""Largest pickled request a planner reads (a request is about 1.5 KB)."""


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
    pays it before it accepts connections, with the router it then serves with, and forked workers inherit both.
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


class Planning(Protocol):
    """How the plans endpoint gets its answers."""

    def start(self, plan: PlanFn) -> None:
        """Begin answering with ``plan`` (called once the worker has loaded its city)."""

    def plan(self, request: TripRequest) -> PlanAnswer:
        """The answer for ``request``; the planner's errors are raised here."""

    def stop(self) -> None:
        """The worker is shutting down: finish what it waits for without help from others."""


class LocalPlanning:
    """Plans in the calling thread, one at a time per process (a single worker, tests)."""

    def __init__(self, lock: threading.Lock | None = None) -> None:
        self._lock = lock or threading.Lock()
        self._plan: PlanFn | None = None

    def start(self, plan: PlanFn) -> None:
        """Answer with ``plan``."""
        self._plan = plan

    def plan(self, request: TripRequest) -> PlanAnswer:
        """Wait for the process's turn, then plan."""
        if self._plan is None:
            raise RuntimeError("planning has not started")
        with self._lock:
            return self._plan(request)

    def stop(self) -> None:
        """Nothing to hand back: plans run in the asking thread."""


class SharedPlanning:
    """One first-come-first-served queue of plans for ``workers`` forked processes (see the module docstring).

    Make it in the parent before forking; each child calls :meth:`attach` with its index, then :meth:`start`.
    """

    def __init__(self, workers: int, *, timeout_s: float = 10.0, queue_timeout_s: float = 120.0) -> None:
        self.workers = workers
        self.timeout_s = timeout_s
        self.queue_timeout_s = queue_timeout_s
        self._jobs_in, self._jobs_out = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        context = mp.get_context("fork")
        # Indexed [planner][worker]: (reader, writer).
        self._answers: list[list[tuple[Connection, Connection]]] = [
            [context.Pipe(duplex=False) for _ in range(workers)] for _ in range(workers)
        ]
        self._index: int | None = None
        self._stopping = threading.Event()
        self._pending: dict[str, _Job] = {}
        self._pending_lock = threading.Lock()
        self._ids = itertools.count()
        self._lock = threading.Lock()
        """This process's one-plan-at-a-time lock, held by its planner thread and by a fallback plan."""
        self._local = LocalPlanning(self._lock)

    def attach(self, index: int) -> SharedPlanning:
        """Make this (forked) copy the member for worker ``index``; returns itself."""
        if not 0 <= index < self.workers:
            raise ValueError(f"worker index {index} is not in [0, {self.workers})")
        self._index = index
        self._stopping = threading.Event()
        self._pending = {}
        self._pending_lock = threading.Lock()
        return self

    def start(self, plan: PlanFn) -> None:
        """Start this worker's planner thread (serving every worker) and the thread that collects its answers."""
        index = self._require_index()
        self._local.start(plan)
        threading.Thread(target=self._serve_jobs, args=(index, plan), name="planner", daemon=True).start()
        threading.Thread(target=self._collect, args=(index,), name="plan-answers", daemon=True).start()

    def plan(self, request: TripRequest) -> PlanAnswer:
        """Queue ``request`` for whichever planner is free first and wait for its answer."""
        index = self._require_index()
        job_id = f"{os.getpid()}:{next(self._ids)}"
        job = _Job()
        with self._pending_lock:
            self._pending[job_id] = job
        self._jobs_in.send(pickle.dumps((index, job_id, request), protocol=pickle.HIGHEST_PROTOCOL))
        queued_until = time.monotonic() + self.queue_timeout_s
        while True:
            try:
                return job.future.result(timeout=WAIT_STEP_S)
            except FutureTimeout:
                taken_at = job.taken_at
                deadline = queued_until if taken_at is None else taken_at + self.timeout_s
                if self._stopping.is_set() or time.monotonic() >= deadline:
                    break
        with self._pending_lock:
            self._pending.pop(job_id, None)
        if not self._stopping.is_set():
            logger.warning("plan %s unanswered by the shared planners; planning it here", job_id)
        return self._local.plan(request)

    def stop(self) -> None:
        """Stop taking shared jobs; the plans this worker still waits for are planned here (see the module doc)."""
        self._stopping.set()

    def _require_index(self) -> int:
        if self._index is None:
            raise RuntimeError("SharedPlanning.attach(index) must be called in the worker first")
        return self._index

    def _serve_jobs(self, index: int, plan: PlanFn) -> None:
        """Take jobs from the shared queue, one at a time, and send each answer to the worker that asked."""
        while True:
            data = self._jobs_out.recv(MAX_JOB_BYTES)
            if not data:
                return
            if self._stopping.is_set():
                self._jobs_in.send(data)  # for a planner that is not stopping
                return
            worker, job_id, request = pickle.loads(data)  # noqa: S301 - written by a sibling process only
            writer = self._answers[index][worker][1]
            writer.send((job_id, TAKEN, None))
            try:
                with self._lock:
                    outcome: tuple[str, str, Any] = (job_id, ANSWER, plan(request))
            except Exception as exc:  # every error goes back to the asking worker
                outcome = (job_id, ERROR, exc)
            try:
                writer.send(outcome)
            except (pickle.PicklingError, TypeError, AttributeError) as exc:
                writer.send((job_id, ERROR, RuntimeError(f"the plan's answer could not be sent back: {exc}")))

    def _collect(self, index: int) -> None:
        """Resolve this worker's waiting requests as their answers arrive from any planner."""
        readers = [self._answers[planner][index][0] for planner in range(self.workers)]
        while readers:
            for ready in wait(readers):
                reader = cast(Connection, ready)
                try:
                    job_id, kind, value = cast(tuple[str, str, Any], reader.recv())
                except EOFError:
                    readers.remove(reader)
                    continue
                with self._pending_lock:
                    job = self._pending.get(job_id) if kind == TAKEN else self._pending.pop(job_id, None)
                if job is None:  # asked by an earlier process of this worker, or already planned here
                    continue
                if kind == TAKEN:
                    job.taken_at = time.monotonic()
                elif kind == ANSWER:
                    job.future.set_result(value)
                else:
                    job.future.set_exception(value)


class _Job:
    """A plan this worker waits for: its answer to come, and when a planner took it (None while queued)."""

    __slots__ = ("future", "taken_at")

    def __init__(self) -> None:
        self.future: Future[PlanAnswer] = Future()
        self.taken_at: float | None = None
