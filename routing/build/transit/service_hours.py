"""Service hours and headways of bus routes from the ``opening_hours`` / ``interval`` tags of OSM route relations.

The World Bank feed counts trips in three periods only (06:30 - 19:45, see ``periods.py``), so a network built from
it alone has no bus in the evening. The ``route=bus`` relations of an OSM extract often say when a line runs
(``opening_hours=Mo-Su 05:00-22:30``: first departure 05:00, last 22:30) and how often (``interval=00:15``). This
module reads those tags and rewrites the hours and headways of the routes the network already has; it never adds
a route.

Tags, parsed defensively (a tag that does not parse is recorded in the build report and ignored):

* ``opening_hours``: any OSM opening-hours expression (parsed by the ``opening_hours`` package), evaluated on one
  reference service day, :data:`SERVICE_DATE` (a Tuesday; the bundle models one weekday). The open intervals
  between 03:00 that day and 03:00 the next are the route's *service windows*: departures from its first stop from
  the window's start to its end, both included (Hanoi's published hours give first and last departures).
* ``interval``: minutes (``"10"``), ``hh:mm`` (``"00:15"``), ``hh:mm:ss``, ``"10 min"``, or a range of either
  (``"00:05-00:15"``, ``"10-15"``: shortest and longest headway).
* ``interval:conditional``: ``<interval> @ (<opening hours>); ...``; a period whose middle falls in a condition's
  hours takes that interval.
* A route relation without its own tag takes its ``route_master``'s (any relation listing it as a member).

Which network route a relation describes: the route with the same OSM relation id (the 2022 relations the
network was built from); else the same line ref (:func:`~routing.build.transit.matching.normalise_line_ref`) and the
direction told by where the relation's stop / platform nodes stand (right-hand traffic: each direction's platforms
are on its own side of the road, tens of metres from the other direction's; told when the nearest route is at least
``DIRECTION_GAP_M`` closer than the other) or else by its ``from`` / ``to`` names against the route's first and last
stop names. When the direction cannot be told the hours go to every route of the line that has none of its own.
A route of a line whose *other* direction has tagged hours takes those (a Hanoi line usually publishes one set of
hours for both terminals), and says so in its ``hours_source``.

Headway of a tagged route in a period its service windows overlap:

1. the conditional interval whose hours contain the period's middle;
2. else a single ``interval``;
3. else an ``interval`` range: the 2018 headway clamped into the range where the route has one, else the longest;
4. else (hours but no interval) the 2018 headway, and in a period the 2018 feed does not cover, the route's longest
   2018 headway (estimated: evening and early-morning service is usually the sparsest).

A route without tagged hours keeps its 2018 trip counts in the World Bank periods and does not run outside them.
The network's periods are extended to cover the tagged hours: an ``early`` period from the first tagged departure
(rounded down to the half hour) to the World Bank morning, and evening periods from the end of the World Bank
afternoon to the half hour after the last tagged departure, half an hour each and timed at their end (see
``EVENING_STEP_S``).
"""

from __future__ import annotations

import datetime as dt
import itertools
import math
import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
import opening_hours
import osmium
from opening_hours import OpeningHours, State

from routing.build.transit.matching import normalise_line_ref
from routing.clock import ClockError, format_clock, parse_clock
from routing.errors import InputDataError, RoutingError
from routing.geo import haversine_m
from routing.transit.model import HOURS_FROM_COUNTS, BusRoute, BusStop, JsonValue, ServicePeriod

SERVICE_DATE = dt.date(2025, 10, 14)
"""The reference service day the ``opening_hours`` expressions are evaluated on (a Tuesday, not a holiday)."""
SERVICE_DAY_START_S = 3 * 3600
"""A service day runs from 03:00 to 03:00 the next day, so that hours running past midnight stay in one day."""
DAY_S = 86_400
MAX_INTERVAL_S = 4 * 3600
"""An interval longer than this is not a bus headway (a typo, or hours in the wrong tag)."""
PERIOD_ROUND_S = 1800
EARLY = "early"
EVENING = "evening"
EVENING_STEP_S = 1800
"""After the World Bank afternoon, lines stop one by one: the evening is cut into half-hour periods (the first one
takes the odd quarter hour), each timed at its end (:attr:`~routing.transit.model.ServicePeriod.timed_at_end`), so
a plan never counts on a bus that stopped running earlier in its period (one period timed at 20:37 for 19:45-21:30
sent travellers to a stop at 21:20 after the last bus home)."""
DIRECTION_NEAR_M = 50.0
DIRECTION_GAP_M = 40.0
STOP_ROLES = ("stop", "platform")
ROUTE_TYPES = ("bus", "trolleybus", "subway", "light_rail", "train")
"""``route=*`` values read as transit lines (``routing/build/transit/extract_lines.py`` turns them into routes)."""
HOURS_TAG, INTERVAL_TAG, CONDITIONAL_TAG = "opening_hours", "interval", "interval:conditional"
KEPT_TAGS = (HOURS_TAG, INTERVAL_TAG, CONDITIONAL_TAG, "ref", "from", "to", "name", "network", "route")

Window = tuple[int, int]
IntervalRange = tuple[int, int]

_NUMBER = r"\d+(?:\.\d+)?"
_ONE_INTERVAL = re.compile(
    rf"^(?:(?P<minutes>{_NUMBER})\s*(?:m|min|mins|minutes|phút|')?|(?P<clock>\d{{1,2}}:\d{{2}}(?::\d{{2}})?))$",
    re.IGNORECASE,
)
_RANGE = re.compile(r"^(?P<low>[^-–]+?)\s*[-–]\s*(?P<high>[^-–]+)$")


_PARSER_ERROR: type[Exception] = getattr(opening_hours, "ParserError", SyntaxError)
"""What ``OpeningHours`` raises on a bad expression (its stubs say SyntaxError; the module raises ParserError)."""


class TagParseError(RoutingError):
    """A tag value of an OSM relation cannot be understood (recorded in the build report, never fatal)."""


# -- tag parsing -----------------------------------------------------------------------------------------------


def _one_interval_s(text: str) -> int:
    match = _ONE_INTERVAL.match(text.strip())
    if match is None:
        raise TagParseError(f"{text!r} is not minutes, hh:mm or hh:mm:ss")
    if match["minutes"] is not None:
        seconds = float(match["minutes"]) * 60.0
    else:
        try:
            seconds = float(parse_clock(match["clock"], what="interval", seconds=None, latest_s=None))
        except ClockError as exc:
            raise TagParseError(f"{text!r} is not a valid hh:mm[:ss]") from exc
    if not 0 < seconds <= MAX_INTERVAL_S:
        raise TagParseError(f"{text!r} is not a headway between 1 s and {MAX_INTERVAL_S // 3600} h")
    return round(seconds)


def parse_interval_s(text: str) -> IntervalRange:
    """Shortest and longest headway in seconds of an ``interval`` value.

    ``"10"`` (minutes), ``"00:15"`` (hh:mm), ``"00:07:30"``, ``"12 min"`` give equal bounds; a range such as
    ``"00:05-00:15"`` or ``"10-15"`` gives its two ends.

    Raises
    ------
    TagParseError
        If the value is none of these forms, a bound is 0 or longer than 4 h, or a range runs backwards.
    """
    value = text.strip()
    if not value:
        raise TagParseError("empty interval")
    ranged = _RANGE.match(value)
    if ranged is None:
        seconds = _one_interval_s(value)
        return seconds, seconds
    low, high = _one_interval_s(ranged["low"]), _one_interval_s(ranged["high"])
    if low > high:
        raise TagParseError(f"interval range {text!r} runs backwards")
    return low, high


def parse_opening_hours_s(text: str, *, service_date: dt.date = SERVICE_DATE) -> tuple[Window, ...]:
    """The open windows of an ``opening_hours`` expression on one service day, in seconds after its midnight.

    The service day runs from 03:00 to 03:00 the next day (:data:`SERVICE_DAY_START_S`); touching windows are
    joined, so ``Mo-Su 05:00-00:30`` gives ``((18000, 88200),)``. An empty result means no service that day.

    Raises
    ------
    TagParseError
        If the expression does not parse.
    """
    if not text.strip():
        raise TagParseError("empty opening_hours")
    try:
        hours = OpeningHours(text)
    except (_PARSER_ERROR, SyntaxError, ValueError, RuntimeError) as exc:
        first_line = str(exc).strip().splitlines()[0] if str(exc).strip() else exc.__class__.__name__
        raise TagParseError(f"opening_hours {text!r} does not parse: {first_line}") from exc
    midnight = dt.datetime.combine(service_date, dt.time(), tzinfo=None)  # local service time, like the tags
    start = midnight + dt.timedelta(seconds=SERVICE_DAY_START_S)
    end = start + dt.timedelta(days=1)
    windows: list[Window] = []
    try:
        intervals = list(hours.intervals(start, end))
    except (ValueError, RuntimeError, OverflowError) as exc:
        raise TagParseError(f"opening_hours {text!r} cannot be evaluated: {exc}") from exc
    for begin, finish, state, _comment in intervals:
        if state != State.OPEN:
            continue
        open_s = round((max(begin, start) - midnight).total_seconds())
        close_s = round((min(finish or end, end) - midnight).total_seconds())
        if close_s <= open_s:
            continue
        if windows and windows[-1][1] >= open_s:
            windows[-1] = (windows[-1][0], max(windows[-1][1], close_s))
        else:
            windows.append((open_s, close_s))
    return tuple(windows)


def parse_interval_conditional(
    text: str, *, service_date: dt.date = SERVICE_DATE
) -> tuple[tuple[IntervalRange, tuple[Window, ...]], ...]:
    """``"00:06 @ (Mo-Su 07:00-10:00); 00:10 @ (Sa,Su)"`` -> ``(((360, 360), windows), ...)``.

    Raises
    ------
    TagParseError
        If a part is not ``<interval> @ <opening hours>`` or either side does not parse.
    """
    rules: list[tuple[IntervalRange, tuple[Window, ...]]] = []
    for part in _split_outside_parentheses(text):
        value, at, condition = part.partition("@")
        if not at or not condition.strip():
            raise TagParseError(f"interval:conditional part {part!r} is not '<interval> @ (<hours>)'")
        condition = condition.strip()
        if condition.startswith("(") and condition.endswith(")"):
            condition = condition[1:-1]
        rules.append((parse_interval_s(value), parse_opening_hours_s(condition, service_date=service_date)))
    if not rules:
        raise TagParseError("empty interval:conditional")
    return tuple(rules)


def _split_outside_parentheses(text: str) -> list[str]:
    parts: list[str] = []
    depth = 0
    current: list[str] = []
    for char in text:
        depth += (char == "(") - (char == ")")
        if char == ";" and depth == 0:
            parts.append("".join(current))
            current = []
        else:
            current.append(char)
    parts.append("".join(current))
    return [part.strip() for part in parts if part.strip()]


# -- reading the relations -------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class StopNode:
    """A stop or platform node of the extract that a route relation lists: position and ``name`` tag ("" if none)."""

    node_id: int
    lat: float
    lon: float
    name: str


@dataclass(frozen=True, slots=True)
class RouteRelation:
    """A transit route relation of an OSM extract: the tags that matter here and its stop / platform members.

    ``parent_ids`` are the relations (``route_master``) that list it as a member; ``stop_lat`` / ``stop_lon`` hold
    the stop and platform nodes the extract has, in member order. ``route_type`` is the ``route`` tag (one of
    :data:`ROUTE_TYPES`); ``stop_node_ids`` lists, in member order, the members that give the line's stops: the
    ``stop*`` role members when the relation has two or more, else its ``platform*`` members (whether or not the
    extract holds them).
    """

    relation_id: int
    tags: dict[str, str]
    parent_ids: tuple[int, ...]
    stop_lat: tuple[float, ...]
    stop_lon: tuple[float, ...]
    route_type: str = "bus"
    stop_node_ids: tuple[int, ...] = ()

    @property
    def ref(self) -> str:
        """The line number (``ref`` tag), empty when missing."""
        return self.tags.get("ref", "").strip()


@dataclass(frozen=True, slots=True)
class RouteRelations:
    """The transit route relations of an extract, the tags of their parent relations and their stop nodes.

    ``nodes`` holds the stop and platform nodes the extract has with a valid position; ``nodes_without_location``
    the ones it has without one (a broken extract).
    """

    routes: tuple[RouteRelation, ...]
    parent_tags: dict[int, dict[str, str]]
    other_route_types: dict[str, int]
    nodes: dict[int, StopNode] = field(default_factory=dict)
    nodes_without_location: frozenset[int] = frozenset()


def _line_stop_members(members: Sequence[tuple[int, str]]) -> tuple[int, ...]:
    """The member nodes that give a line's stops: ``stop*`` roles if two or more, else ``platform*`` roles."""
    stops = tuple(ref for ref, role in members if role.startswith("stop"))
    if len(stops) >= 2:
        return stops
    return tuple(ref for ref, role in members if role.startswith("platform"))


def read_route_relations(osm_path: Path) -> RouteRelations:
    """Read the transit route relations (:data:`ROUTE_TYPES`, and their route masters) of an extract with pyosmium.

    Two passes: the relations, then the stop and platform nodes they list (only those the extract holds).

    Raises
    ------
    InputDataError
        If the file is missing, unreadable or not OSM data.
    """
    if not osm_path.is_file():
        raise InputDataError(osm_path, "no such OSM file")
    buses: list[tuple[int, dict[str, str], list[int], tuple[int, ...]]] = []
    members_of: dict[int, list[int]] = {}
    parent_tags: dict[int, dict[str, str]] = {}
    others: Counter[str] = Counter()
    try:
        for relation in osmium.FileProcessor(str(osm_path), osmium.osm.RELATION):
            if not isinstance(relation, osmium.osm.Relation):
                continue
            tags = {tag.k: tag.v for tag in relation.tags}
            children = [member.ref for member in relation.members if member.type == "r"]
            if children:
                parent_tags[relation.id] = {k: v for k, v in tags.items() if k in KEPT_TAGS}
                members_of[relation.id] = children
            if tags.get("type") != "route" or "route" not in tags:
                continue
            if tags["route"] not in ROUTE_TYPES:
                others[tags["route"]] += 1
                continue
            members = [
                (member.ref, member.role)
                for member in relation.members
                if member.type == "n" and member.role.startswith(STOP_ROLES)
            ]
            kept = {k: v for k, v in tags.items() if k in KEPT_TAGS}
            buses.append((relation.id, kept, [ref for ref, _ in members], _line_stop_members(members)))
        wanted = {node for _, _, nodes, _ in buses for node in nodes}
        position: dict[int, tuple[float, float]] = {}
        stop_nodes: dict[int, StopNode] = {}
        unplaced: set[int] = set()
        if wanted:
            processor = osmium.FileProcessor(str(osm_path), osmium.osm.NODE).with_filter(osmium.filter.IdFilter(wanted))
            for node in processor:
                if not isinstance(node, osmium.osm.Node):
                    continue
                if not node.location.valid():
                    unplaced.add(node.id)
                    continue
                position[node.id] = (node.location.lat, node.location.lon)
                name = (node.tags.get("name") or "").strip()
                stop_nodes[node.id] = StopNode(node.id, node.location.lat, node.location.lon, name)
    except (RuntimeError, OSError, ValueError) as exc:
        raise InputDataError(osm_path, f"cannot read OSM relations ({exc}); is the file complete OSM data?") from exc
    parents: dict[int, list[int]] = {}
    for parent, children in members_of.items():
        for child in children:
            parents.setdefault(child, []).append(parent)
    routes = tuple(
        RouteRelation(
            relation_id=relation_id,
            tags=tags,
            parent_ids=tuple(sorted(parents.get(relation_id, []))),
            stop_lat=tuple(position[n][0] for n in nodes if n in position),
            stop_lon=tuple(position[n][1] for n in nodes if n in position),
            route_type=tags["route"],
            stop_node_ids=line_nodes,
        )
        for relation_id, tags, nodes, line_nodes in sorted(buses)
    )
    return RouteRelations(routes, parent_tags, dict(sorted(others.items())), stop_nodes, frozenset(unplaced))


# -- hours of one relation -------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RelationHours:
    """What one relation's tags say: service windows (empty: not tagged), headways, and where each came from."""

    relation_id: int
    ref: str
    windows_s: tuple[Window, ...]
    interval_s: IntervalRange | None
    conditional: tuple[tuple[IntervalRange, tuple[Window, ...]], ...]
    source: str

    @property
    def has_hours(self) -> bool:
        """True when ``opening_hours`` gave at least one service window."""
        return bool(self.windows_s)


def relation_hours(
    relation: RouteRelation, parent_tags: Mapping[int, Mapping[str, str]], *, service_date: dt.date = SERVICE_DATE
) -> tuple[RelationHours | None, list[dict[str, JsonValue]]]:
    """Parse one relation's hours and headway tags (its own, else its route master's).

    Returns
    -------
    hours, problems
        ``hours`` is None when no usable tag is left; ``problems`` lists each unparseable or unusable tag
        (``relation``, ``tag``, ``value``, ``error``).
    """
    problems: list[dict[str, JsonValue]] = []
    found: dict[str, tuple[str, int]] = {}
    for tag in (HOURS_TAG, INTERVAL_TAG, CONDITIONAL_TAG):
        if relation.tags.get(tag, "").strip():
            found[tag] = (relation.tags[tag], relation.relation_id)
            continue
        for parent in relation.parent_ids:
            value = parent_tags.get(parent, {}).get(tag, "").strip()
            if value:
                found[tag] = (value, parent)
                break

    def problem(tag: str, error: str) -> None:
        value, owner = found[tag]
        problems.append({"relation": owner, "ref": relation.ref, "tag": tag, "value": value, "error": error})

    windows: tuple[Window, ...] = ()
    interval: IntervalRange | None = None
    conditional: tuple[tuple[IntervalRange, tuple[Window, ...]], ...] = ()
    if HOURS_TAG in found:
        try:
            windows = parse_opening_hours_s(found[HOURS_TAG][0], service_date=service_date)
        except TagParseError as exc:
            problem(HOURS_TAG, str(exc))
        else:
            if not windows:
                problem(HOURS_TAG, f"no service on the reference day {service_date.isoformat()}")
    if INTERVAL_TAG in found:
        try:
            interval = parse_interval_s(found[INTERVAL_TAG][0])
        except TagParseError as exc:
            problem(INTERVAL_TAG, str(exc))
    if CONDITIONAL_TAG in found:
        try:
            conditional = parse_interval_conditional(found[CONDITIONAL_TAG][0], service_date=service_date)
        except TagParseError as exc:
            problem(CONDITIONAL_TAG, str(exc))
    if not windows and interval is None and not conditional:
        return None, problems
    parts = [f"osm:relation/{relation.relation_id}"]
    for tag in (HOURS_TAG, INTERVAL_TAG, CONDITIONAL_TAG):
        used = {HOURS_TAG: bool(windows), INTERVAL_TAG: interval is not None, CONDITIONAL_TAG: bool(conditional)}
        if used[tag]:
            value, owner = found[tag]
            inherited = f" (route_master relation/{owner})" if owner != relation.relation_id else ""
            parts.append(f"{tag}={value}{inherited}")
    return RelationHours(relation.relation_id, relation.ref, windows, interval, conditional, " ".join(parts)), problems


# -- matching relations to the network's routes ----------------------------------------------------------------


def _median_nearest_m(relation: RouteRelation, stops: Sequence[BusStop]) -> float:
    if not relation.stop_lat or not stops:
        return math.inf
    distance = haversine_m(
        np.asarray(relation.stop_lat)[:, None],
        np.asarray(relation.stop_lon)[:, None],
        np.asarray([stop.lat for stop in stops])[None, :],
        np.asarray([stop.lon for stop in stops])[None, :],
    )
    return float(np.median(np.min(distance, axis=1)))


def _name_key(text: str) -> str:
    return " ".join(text.casefold().split())


def _name_score(relation: RouteRelation, first: str, last: str) -> int:
    """How well ``from`` / ``to`` name the route's first / last stop (+1 each), minus the reverse reading."""
    origin, destination = _name_key(relation.tags.get("from", "")), _name_key(relation.tags.get("to", ""))
    first, last = _name_key(first), _name_key(last)

    def names(a: str, b: str) -> bool:
        return bool(a) and bool(b) and (a in b or b in a)

    forward = names(origin, first) + names(destination, last)
    backward = names(origin, last) + names(destination, first)
    return int(forward) - int(backward)


def _tell_direction(
    relation: RouteRelation, candidates: Sequence[BusRoute], stops: Mapping[str, BusStop]
) -> tuple[list[BusRoute], str]:
    """The candidate route(s) a relation describes, and how that was told."""
    if len(candidates) == 1:
        return list(candidates), "only route of the line"
    nearest = [_median_nearest_m(relation, [stops[s] for s in route.stop_ids]) for route in candidates]
    order = np.argsort(nearest, kind="stable")
    best, second = nearest[order[0]], nearest[order[1]]
    if best <= DIRECTION_NEAR_M and second - best >= DIRECTION_GAP_M:
        return [candidates[int(order[0])]], "stop positions"
    scores = [
        _name_score(relation, stops[route.stop_ids[0]].name, stops[route.stop_ids[-1]].name) for route in candidates
    ]
    top = max(scores)
    if top > 0 and scores.count(top) == 1:
        return [candidates[scores.index(top)]], "from/to names"
    return list(candidates), "not told (every route of the line)"


def assign_relation_hours(
    routes: Sequence[BusRoute], stops: Mapping[str, BusStop], hours: Sequence[RelationHours], relations: RouteRelations
) -> tuple[dict[str, tuple[RelationHours, str]], dict[str, JsonValue]]:
    """Which relation's hours each route takes (route id -> (hours, how)), and a report.

    ``how`` is ``"relation id"``, ``"stop positions"``, ``"from/to names"``, ``"only route of the line"``,
    ``"not told (every route of the line)"`` or ``"other direction"``.
    """
    by_relation = {route.osm_relation_id: route for route in routes if route.osm_relation_id is not None}
    by_line: dict[str, list[BusRoute]] = {}
    for route in routes:
        by_line.setdefault(normalise_line_ref(route.ref), []).append(route)
    relation_by_id = {relation.relation_id: relation for relation in relations.routes}
    assigned: dict[str, tuple[RelationHours, str]] = {}
    unmatched: list[JsonValue] = []
    conflicts = 0
    ordered = sorted(hours, key=lambda h: (h.relation_id not in by_relation, h.relation_id))
    for item in ordered:
        exact = by_relation.get(item.relation_id)
        if exact is not None:
            targets, how = [exact], "relation id"
        else:
            line = by_line.get(normalise_line_ref(item.ref), []) if item.ref else []
            free = [route for route in line if route.route_id not in assigned]
            if not free:
                reason = "no route of this line in the network" if not line else "every route of the line has hours"
                unmatched.append({"relation": item.relation_id, "ref": item.ref, "reason": reason})
                continue
            targets, how = _tell_direction(relation_by_id[item.relation_id], free, stops)
        for route in targets:
            if route.route_id in assigned:
                conflicts += 1
                continue
            assigned[route.route_id] = (item, how)
    for line_routes in by_line.values():
        own = [assigned[r.route_id][0] for r in line_routes if r.route_id in assigned]
        own = [h for h in own if h.has_hours]
        if not own:
            continue
        # The earliest-ending direction's hours: the cautious guess when two directions disagree.
        donor = min(own, key=lambda h: (max(end for _, end in h.windows_s), h.relation_id))
        for route in line_routes:
            if route.route_id not in assigned:
                assigned[route.route_id] = (donor, "other direction")
    report: dict[str, JsonValue] = {
        "routes_by_match": dict(sorted(Counter(how for _, how in assigned.values()).items())),
        "unmatched_relations": unmatched,
        "relations_matching_a_route_already_assigned": conflicts,
    }
    return assigned, report


# -- headways and periods --------------------------------------------------------------------------------------


def extend_periods(periods: Sequence[ServicePeriod], windows: Sequence[Window]) -> tuple[ServicePeriod, ...]:
    """The periods with an ``early`` one before and evening ones after, where tagged hours reach there.

    ``early`` starts at the first window's start rounded down to the half hour. The evening runs from the end of the
    last period to the half hour after the last window's end (so the last departure lies inside it), at most to
    24:00, in half-hour periods (``evening``, then ``evening-HHMM`` by start time; one shorter than half an hour
    joins the next), each timed at its end.
    """
    if not periods or not windows:
        return tuple(periods)
    first = min(start for start, _ in windows)
    last = max(end for _, end in windows)
    extended = list(periods)
    if first < periods[0].start_s:
        extended.insert(0, ServicePeriod(EARLY, first // PERIOD_ROUND_S * PERIOD_ROUND_S, periods[0].start_s))
    if last >= periods[-1].end_s and periods[-1].end_s < DAY_S:
        start = periods[-1].end_s
        end = min((last // PERIOD_ROUND_S + 1) * PERIOD_ROUND_S, DAY_S)
        cuts = [cut for cut in range(start // EVENING_STEP_S * EVENING_STEP_S, end, EVENING_STEP_S) if cut > start]
        bounds = [start, *[cut for cut in cuts if cut - start >= EVENING_STEP_S], end]
        for low, high in itertools.pairwise(bounds):
            name = EVENING if low == start else f"{EVENING}-{format_clock(low).replace(':', '')}"
            extended.append(ServicePeriod(name, low, high, timed_at_end=True))
    return tuple(extended)


def _overlaps(windows: Sequence[Window], period: ServicePeriod) -> bool:
    return any(start < period.end_s and period.start_s <= end for start, end in windows)


def route_headways(
    hours: RelationHours, gtfs_headway_s: Mapping[str, float | None], periods: Sequence[ServicePeriod]
) -> tuple[dict[str, float | None], str]:
    """Headway of a tagged route in every period (None where it does not run) and its ``headway_source``.

    See the module docstring for the rules.
    """
    known = [h for h in gtfs_headway_s.values() if h is not None]
    sparsest = max(known) if known else None
    headways: dict[str, float | None] = {}
    sources: set[str] = set()
    for period in periods:
        if hours.has_hours and not _overlaps(hours.windows_s, period):
            headways[period.name] = None
            continue
        if not hours.has_hours and gtfs_headway_s.get(period.name) is None:
            headways[period.name] = None  # interval only: the hours stay those of the 2018 counts
            continue
        middle = (period.start_s + period.end_s) // 2
        rule = next(
            (rng for rng, windows in hours.conditional if any(a <= middle < b for a, b in windows)),
            None,
        )
        gtfs = gtfs_headway_s.get(period.name)
        tagged = rule if rule is not None else hours.interval_s
        if tagged is not None and tagged[0] == tagged[1]:
            value = float(tagged[0])
            source = "osm_interval" if rule is None else "osm_interval_conditional"
        elif tagged is not None:
            low, high = tagged
            value = float(high) if gtfs is None else min(max(gtfs, float(low)), float(high))
            source = "osm_interval_range" if rule is None else "osm_interval_conditional"
        elif gtfs is not None:
            value, source = gtfs, "gtfs_trip_counts"
        elif sparsest is not None:
            value, source = sparsest, "gtfs_trip_counts_sparsest_estimated"
        else:
            headways[period.name] = None
            continue
        headways[period.name] = round(value, 1)
        sources.add(source)
    return headways, "+".join(sorted(sources)) if sources else "none"


def apply_service_hours(
    routes: Sequence[BusRoute],
    stops: Sequence[BusStop],
    periods: Sequence[ServicePeriod],
    relations: RouteRelations,
    *,
    service_date: dt.date = SERVICE_DATE,
) -> tuple[tuple[BusRoute, ...], tuple[ServicePeriod, ...], dict[str, JsonValue]]:
    """Routes with the hours and headways their OSM relations' tags give, the extended periods, and a report.

    Routes without tagged hours keep their headways (``None`` in the added periods) and ``hours_source``.
    """
    problems: list[dict[str, JsonValue]] = []
    parsed: list[RelationHours] = []
    for relation in relations.routes:
        item, found = relation_hours(relation, relations.parent_tags, service_date=service_date)
        problems.extend(found)
        if item is not None:
            parsed.append(item)
    stop_by_id = {stop.stop_id: stop for stop in stops}
    assigned, match_report = assign_relation_hours(routes, stop_by_id, parsed, relations)
    windows = [w for item, _ in assigned.values() for w in item.windows_s]
    capped = sum(1 for _, end in windows if end >= DAY_S)
    windows = [(start, min(end, DAY_S - 1)) for start, end in windows if start < DAY_S]
    extended = extend_periods(periods, windows)
    updated: list[BusRoute] = []
    for route in routes:
        headways = {period.name: route.headway_s.get(period.name) for period in extended}
        if route.route_id not in assigned:
            updated.append(replace(route, headway_s=headways))
            continue
        item, how = assigned[route.route_id]
        new_headways, headway_source = route_headways(item, headways, extended)
        if headway_source == "none":
            updated.append(replace(route, headway_s=headways))
            continue
        source = item.source if how != "other direction" else f"{item.source} (line's other direction)"
        route_windows = tuple((start, min(end, DAY_S - 1)) for start, end in item.windows_s if start < DAY_S)
        updated.append(
            replace(
                route,
                headway_s=new_headways,
                headway_source=headway_source,
                service_hours_s=route_windows,
                hours_source=source if route_windows else HOURS_FROM_COUNTS,
            )
        )
    with_hours = [route for route in updated if route.service_hours_s]
    last = max((end for route in with_hours for _, end in route.service_hours_s), default=None)
    first = min((start for route in with_hours for start, _ in route.service_hours_s), default=None)
    report: dict[str, JsonValue] = {
        "service_date": service_date.isoformat(),
        "bus_relations": sum(1 for r in relations.routes if r.route_type in ("bus", "trolleybus")),
        "rail_relations": sum(1 for r in relations.routes if r.route_type not in ("bus", "trolleybus")),
        "relations_with_usable_tags": len(parsed),
        "other_route_types_skipped": dict(relations.other_route_types),
        "routes_with_osm_hours": len(with_hours),
        "routes_with_2018_hours": len(updated) - len(with_hours),
        "first_departure": None if first is None else format_clock(first),
        "last_departure": None if last is None else format_clock(last),
        "hours_past_midnight_capped": capped,
        "periods_added": [p.name for p in extended if p.name not in {q.name for q in periods}],
        **match_report,
        "unparseable_tags": list(problems),
    }
    return tuple(updated), extended, report
