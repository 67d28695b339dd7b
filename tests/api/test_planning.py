"""The forked workers' shared plan queue: any planner answers, errors come back whole, answers reach the asker."""

from __future__ import annotations

import datetime as dt
import os
import signal
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest

from api.planning import PlanAnswer, SharedPlanning
from recommender.locate import Location
from recommender.scoring import Interests
from recommender.trip import TravelMode, TripRequest
from recommender.trip.errors import MustVisitError


def _request(seed: int, *, must: tuple[str, ...] = ()) -> TripRequest:
    return TripRequest(
        start=Location(lat=21.0285, lon=105.8524),
        end=None,
        date=dt.date(2026, 12, 1),
        window_start_s=9 * 3600,
        window_end_s=17 * 3600,
        interests=Interests.parse({"cuisine": 0.8}),
        mode=TravelMode.WALK,
        must_visit=must,
        seed=seed,
    )


def _slow_pid_plan(request: TripRequest) -> PlanAnswer:
    """Stands in for the planner so the test sees which process answered; raises for a must-visit."""
    if request.must_visit:
        raise MustVisitError(f"{request.must_visit[0]} is closed", field="must_visit")
    time.sleep(0.15)
    return {"pid": os.getpid(), "seed": request.seed}


@pytest.fixture
def two_workers() -> Iterator[SharedPlanning]:
    """This process as worker 0 and a forked child as worker 1, both planning from the shared queue."""
    planning = SharedPlanning(2, timeout_s=20)
    child = os.fork()
    if child == 0:  # worker 1: plans jobs until the test kills it
        try:
            planning.attach(1).start(_slow_pid_plan)
            time.sleep(120)
        finally:
            os._exit(0)
    try:
        yield planning.attach(0)
    finally:
        os.kill(child, signal.SIGKILL)
        os.waitpid(child, 0)


def test_plans_asked_in_one_worker_are_shared_by_both(two_workers: SharedPlanning) -> None:
    two_workers.start(_slow_pid_plan)
    with ThreadPoolExecutor(max_workers=8) as pool:
        answers = list(pool.map(two_workers.plan, [_request(seed) for seed in range(8)]))
    assert [answer["seed"] for answer in answers] == list(range(8))  # each answer reached its own request
    planners = {answer["pid"] for answer in answers}
    assert len(planners) == 2, f"only {planners} planned; the other worker stayed idle"


def test_a_planner_error_reaches_the_asking_worker_with_its_field(two_workers: SharedPlanning) -> None:
    two_workers.start(_slow_pid_plan)
    for _ in range(4):  # whichever planner takes it
        with pytest.raises(MustVisitError, match="closed") as caught:
            two_workers.plan(_request(0, must=("hoa-lo-prison",)))
        assert caught.value.field == "must_visit"


def test_a_worker_must_attach_before_planning() -> None:
    planning = SharedPlanning(2)
    with pytest.raises(RuntimeError, match="attach"):
        planning.plan(_request(0))
    with pytest.raises(ValueError, match="worker index 2"):
        planning.attach(2)


def test_a_stopping_worker_plans_what_it_still_waits_for(caplog: pytest.LogCaptureFixture) -> None:
    planning = SharedPlanning(2, timeout_s=60).attach(0)  # worker 1 never starts: only this planner serves

    def plan_in(request: TripRequest) -> PlanAnswer:
        time.sleep(0.2)
        return {"seed": request.seed, "thread": threading.current_thread().name}

    planning.start(plan_in)
    with ThreadPoolExecutor(max_workers=4, thread_name_prefix="asker") as pool:
        futures = [pool.submit(planning.plan, _request(seed)) for seed in range(4)]
        time.sleep(0.05)  # the planner thread has taken the first job
        planning.stop()
        answers = [future.result() for future in futures]
    assert [answer["seed"] for answer in answers] == list(range(4))
    assert any(answer["thread"].startswith("asker") for answer in answers), "nothing was planned by the asker"
    assert "unanswered" not in caplog.text  # handed back at once, not after the 60 s timeout


def test_time_queued_behind_other_plans_does_not_make_a_worker_plan_twice(caplog: pytest.LogCaptureFixture) -> None:
    planning = SharedPlanning(2, timeout_s=1.0).attach(0)  # one planner: the jobs queue 2.1 s, each takes 0.3 s

    def plan_in(request: TripRequest) -> PlanAnswer:
        time.sleep(0.3)
        return {"seed": request.seed, "thread": threading.current_thread().name}

    planning.start(plan_in)
    with ThreadPoolExecutor(max_workers=8, thread_name_prefix="asker") as pool:
        answers = list(pool.map(planning.plan, [_request(seed) for seed in range(8)]))
    assert [answer["seed"] for answer in answers] == list(range(8))
    assert {answer["thread"] for answer in answers} == {"planner"}  # none planned again by a waiting asker
    assert "unanswered" not in caplog.text
