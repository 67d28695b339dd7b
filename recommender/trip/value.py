"""What a day is worth: the one place where the weights of a good day are set.

The solver adds node values up under time windows; everything that makes a day one a local guide would sign is
decided here, before the solver runs:

* **a visit's worth** grows with how much the place matters (its popularity with visitors, sharpened so a signature
  sight of Hanoi is worth far more than a statue), with the traveller's interest in it, and with the place's own
  natural length (a 90-minute temple holds more than a 10-minute monument, with diminishing returns); part of it is
  earned by any visit (having seen the place), the rest by the time spent; a visit cut short keeps most, not all, of
  its worth;
* **repeats of one kind** are worth less: the ``k``-th best place of a kind is discounted by ``REPEAT_DECAY`` per
  day's worth of them already ranked above it, less so for a kind the traveller asked for (no five pagodas in a
  row unless pagodas were asked for);
* **walking** has a perceived cost (OpenTripPlanner calls it walk reluctance): metres beyond a comfortable stroll
  count extra, more so at midday and in the rain, so the planner takes the bus for long hops or picks nearer places;
* **the pace** sets a daily walking budget and the longest walk between two stops in bus mode.

The planner works on plain numbers; the figures here are priors set by hand (documented in ``docs/PLANNING.md``)
and checked by ``bench/plan_quality.py``.
"""

from __future__ import annotations

import math
from typing import Final

import numpy as np
from numpy.typing import NDArray

from recommender.catalogue import Place
from recommender.scoring import PlaceScore

FloatArray = NDArray[np.float64]

PREFERENCE_SHARPNESS: Final[float] = 4.0
"""Value grows with (score / 100) ** 4: the planner adds values up, so on the raw scores a day of many lukewarm
visits would outweigh one long trip to what the traveller asked for most (a craft village an hour away). At 3, with
prominence at power 2, a traveller who asked for CI centres and galleries got Hỏa Lò and the Citadel instead
(`bench/plan_quality.py` personas art-ci-bus and art-ci-walk: 75-80 % of their visits matched an interest, 86-88 %
at 4)."""
PROMINENCE_POWER: Final[float] = 2.0
"""Value grows with popularity squared: a 0.85 sight (One Pillar Pagoda) is worth 3.6x a 0.45 one (a statue) before
its length counts, so a first day takes in the sights that matter. Popularity also enters the traveller's score;
the sharper preference above keeps famous sights from crowding out what the traveller asked for."""
LENGTH_POWER: Final[float] = 0.5
"""Value grows with (natural length / 1 h) ** 0.5: a 90-minute site holds 3x a 10-minute one, not 9x."""
SIGHTING_SHARE: Final[float] = 0.4
"""The share of a visit's worth that any visit earns, however short: having seen the One Pillar Pagoda in twenty
minutes is most of what it gives; the rest grows with the time spent (length and short-visit curve below). Without
it, the 45 minutes between a short and a full visit to the Temple of Literature outweighed the One Pillar Pagoda and
the Mausoleum, and a first-time Tuesday took in 4 of Hanoi's 10 signature sights; over 40 random first-time
visitors (not the persona suite) the signature sights rose from 170 to 207 (``python -m bench.plan_weights``)."""
LONGEST_COUNTED_MIN: Final[float] = 240.0
"""Natural lengths beyond four hours add no more worth (a day trip is not worth a whole day of sights)."""
SHORT_VISIT_CURVE: Final[float] = 2.0
"""A visit of a fraction ``r`` of its natural length keeps ``(1 - exp(-2 r)) / (1 - exp(-2))`` of its worth: a
half-length visit keeps 73 %, a packed pace's three-quarter visit 90 %."""
SHORT_VISIT_SHARE: Final[float] = 0.5
"""Places of ``SHORT_VISIT_FROM_MIN`` minutes or more may also be seen in a short visit of half their length (at
least ``SHORT_VISIT_LEAST_MIN``): the planner picks the short or the full visit, never both."""
SHORT_VISIT_FROM_MIN: Final[float] = 45.0
SHORT_VISIT_LEAST_MIN: Final[float] = 25.0
REPEAT_DECAY: Final[float] = 0.7
"""Each further place of a kind the traveller did not ask for, per day of the trip, keeps 70 % of the worth the one
before it would have; a kind asked for with weight ``w`` decays by ``0.7 + ASKED_DECAY_EASING * w`` instead (a
heritage lover's fourth heritage site is still worth almost a full visit)."""
ASKED_DECAY_EASING: Final[float] = 0.25
FIRST_OF_KIND_BONUS: Final[float] = 2.0
"""On a trip of two days or more, the best place of each kind the traveller asked for is worth ``1 + 2 w`` times more
(weight ``w``): three days for someone who likes heritage, craft villages and food should take in a craft village
(half a day with the bus there and back) rather than a tenth temple. A single day is too short to cover every
interest, so it has no such bonus."""

STOP_COST_SHARE: Final[float] = 0.2
"""Every stop costs the traveller something (attention, a ticket queue, a shoe-off at a pagoda): a visit pays this
share of the worth of a typical stop of their trip (the median of their best ``TYPICAL_STOPS_PER_DAY`` per day), so
a statue a few steps off the way is not a stop unless it matters to them, and a day is a few great visits rather
than many small ones. Relative, not absolute: a traveller whose interests every place matches only weakly keeps
their best places."""
TYPICAL_STOPS_PER_DAY: Final[int] = 6

COMFORTABLE_WALK_M: Final[float] = 600.0
"""Walks up to this length are taken as they are."""
WALK_RELUCTANCE_PER_KM: Final[float] = 0.5
"""Beyond the comfortable length, each further kilometre feels 50 % longer than it is."""
HEAT_FACTOR: Final[float] = 1.2
"""Walking between ``HEAT_FROM_S`` and ``HEAT_TO_S`` feels 20 % longer (Hanoi's midday heat and glare)."""
HEAT_FROM_S: Final[int] = 11 * 3600
HEAT_TO_S: Final[int] = 15 * 3600
RAIN_FACTOR: Final[float] = 1.5
"""Walking in the rain feels 50 % longer."""

BOARDING_COST_S: Final[float] = 300.0
"""Each boarding feels like five more minutes (finding the stop, waiting, the crowd; OpenTripPlanner's board cost
plays the same part): a short hop is walked rather than ridden for a minute saved."""
BUS_LEG_WALK_M: Final[float] = 700.0
"""The walking a bus hop is planned with (to the stop, between stops, from the stop) before it is routed: about
what bus hops between catalogue places walk in the plans of ``bench/plan_quality.py``."""
BUS_TRANSFER_WALK_M: Final[float] = 350.0
"""Besides the walks to and from the nearest stops, a bus hop is planned with this much more walking (a farther
stop with a better line, a change between stops)."""
BUS_ACCESS_WALK_M: Final[float] = 600.0
"""A bus hop takes stops within this walk of either end unless that arrives more than ``BUS_ACCESS_TOLERANCE_S``
later than walking up to the router's own limit (1 km): taking the bus should not mean a kilometre's walk."""
BUS_ACCESS_TOLERANCE_S: Final[float] = 300.0
WALK_BUDGET_M: Final[dict[str, float]] = {"relaxed": 4_500.0, "normal": 7_000.0, "packed": 10_000.0}
"""The walking a day may hold at each pace (bus access walks included), unless the traveller sets their own."""
BUS_MODE_LONGEST_WALK_M: Final[dict[str, float]] = {"relaxed": 1_200.0, "normal": 1_500.0, "packed": 1_500.0}
"""In bus mode, a hop longer than this goes by bus or metro (or the stops are chosen so it is not needed)."""
WALK_MODE_LONGEST_WALK_M: Final[float] = 2_500.0
"""On foot, the longest hop between two stops."""


def visit_worth(place: Place, score: PlaceScore, *, visit_s: float) -> float:
    """What a visit of ``visit_s`` seconds to ``place`` is worth to a traveller who scores it ``score``."""
    relevance = max(score.score, 0.0) / 100.0
    prominence = max(place.popularity, 0.05) ** PROMINENCE_POWER
    natural_min = max(float(place.visit_min), 1.0)
    length = (min(natural_min, LONGEST_COUNTED_MIN) / 60.0) ** LENGTH_POWER
    share = time_share(visit_s / (natural_min * 60.0))
    time_part = (1.0 - SIGHTING_SHARE) * length * share
    return float(100.0 * relevance**PREFERENCE_SHARPNESS * prominence * (SIGHTING_SHARE + time_part))


def time_share(fraction: float) -> float:
    """The share of a visit's worth kept when it lasts ``fraction`` of its natural length (1 at or above it)."""
    ratio = min(max(fraction, 0.0), 1.0)
    return (1.0 - math.exp(-SHORT_VISIT_CURVE * ratio)) / (1.0 - math.exp(-SHORT_VISIT_CURVE))


def repeat_discount(rank: int, *, days: int, interest: float = 0.0) -> float:
    """The factor on the ``rank``-th best (0-based) place of one kind, asked for with weight ``interest``."""
    if rank == 0:
        return 1.0 + FIRST_OF_KIND_BONUS * max(interest, 0.0) if days > 1 else 1.0
    decay = min(REPEAT_DECAY + ASKED_DECAY_EASING * max(interest, 0.0), 1.0)
    return float(decay ** (rank // max(days, 1)))


def stop_cost(visit_worths: list[float], *, days: int) -> float:
    """What one stop costs, in worth, on a trip whose visit candidates are worth ``visit_worths``.

    The typical stop is the median of the best ``TYPICAL_STOPS_PER_DAY * days`` values (a place may count twice,
    as a full and a short visit).
    """
    best = sorted(visit_worths, reverse=True)[: TYPICAL_STOPS_PER_DAY * max(days, 1)]
    return STOP_COST_SHARE * float(np.median(best)) if best else 0.0


def walk_reluctance(walk_m: FloatArray, *, heat_share: float = 0.0, rain: bool = False) -> FloatArray:
    """How much longer than they are walks of ``walk_m`` metres feel (1 for a short stroll in dry, mild weather).

    ``heat_share`` is the part (0..1) of the walking time that falls in the midday heat (see :func:`heat_share`).
    """
    extra_km = np.maximum(np.asarray(walk_m, dtype=np.float64) - COMFORTABLE_WALK_M, 0.0) / 1000.0
    factor = (1.0 + WALK_RELUCTANCE_PER_KM * extra_km) * (1.0 + (HEAT_FACTOR - 1.0) * heat_share)
    return np.asarray(factor * RAIN_FACTOR if rain else factor, dtype=np.float64)


def heat_share(start_s: float, end_s: float) -> float:
    """The part of ``start_s .. end_s`` (seconds after midnight) that falls in the midday heat."""
    overlap = min(end_s, HEAT_TO_S) - max(start_s, HEAT_FROM_S)
    return max(overlap, 0.0) / max(end_s - start_s, 1.0)


__all__ = [
    "BOARDING_COST_S",
    "BUS_ACCESS_TOLERANCE_S",
    "BUS_ACCESS_WALK_M",
    "BUS_LEG_WALK_M",
    "BUS_MODE_LONGEST_WALK_M",
    "BUS_TRANSFER_WALK_M",
    "REPEAT_DECAY",
    "SHORT_VISIT_FROM_MIN",
    "SHORT_VISIT_LEAST_MIN",
    "SHORT_VISIT_SHARE",
    "WALK_BUDGET_M",
    "WALK_MODE_LONGEST_WALK_M",
    "heat_share",
    "repeat_discount",
    "stop_cost",
    "time_share",
    "visit_worth",
    "walk_reluctance",
]
