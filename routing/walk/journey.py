"""A walking route as the traveller sees it: length, duration, a line to draw and street-by-street steps.

A route is assembled from *pieces*: edges of the street graph, each walked tail to head from one
fraction of its length to another (whole edges run 0 -> 1; the first and last pieces usually start or end
mid-edge, where the points were snapped). Consecutive pieces along the same street merge into one step.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from routing.compiled import jit
from routing.geo import great_circle_m, rounded_pairs
from routing.graph.frozen import FrozenGraph

STEPS_HIGHWAYS = frozenset({"steps", "ladder"})
"""Highway kinds walked as stairs: slowed by the steps penalty and announced as steps."""

PATH_HIGHWAYS = frozenset({"footway", "path", "pedestrian", "track", "corridor", "bridleway", "cycleway"})
"""Highway kinds an unnamed piece is called a path for; any other unnamed piece is a street."""

# Step keys for pieces without a street name of their own (named pieces use their name index, >= 0).
_KEY_STEPS = -1
_KEY_PATH = -2
_KEY_STREET = -3
_MIN_STEP_M = 1e-6
_COORDINATE_DIGITS = 6
_SAME_POINT_DEG = 1e-9
"""Points closer than this (about 0.1 mm) in both latitude and longitude are one point of the line."""


def format_length(length_m: float) -> str:
    """Length as a person would say it: ``8 m``, ``350 m`` (to 10 m from 100 m), ``1.2 km``."""
    if length_m >= 995.0:
        return f"{length_m / 1000:.1f} km"
    if length_m >= 99.5:
        return f"{round(length_m / 10) * 10:.0f} m"
    return f"{max(1, round(length_m)):.0f} m"


@dataclass(frozen=True)
class WalkStep:
    """One instruction: a stretch along one street, an unnamed path or a flight of steps."""

    street: str | None
    length_m: float
    duration_s: float
    instruction: str

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready fields (lengths and durations to 0.1)."""
        return {
            "street": self.street,
            "length_m": round(self.length_m, 1),
            "duration_s": round(self.duration_s, 1),
            "instruction": self.instruction,
        }


@dataclass(frozen=True)
class WalkJourney:
    """A walk between two snapped points.

    ``length_m`` and ``duration_s`` cover the walk on the street network, from the point where the start
    meets its street to the point where the end does; ``snap_from_m`` / ``snap_to_m`` are the straight
    distances from the requested points to those streets, reported apart (as routing engines do) so a
    caller can add them or flag a far snap. ``coordinates`` are (lat, lon) pairs from the snapped start
    to the snapped end.
    """

    length_m: float
    duration_s: float
    coordinates: tuple[tuple[float, float], ...]
    steps: tuple[WalkStep, ...]
    snap_from_m: float
    snap_to_m: float

    def to_geojson(self) -> dict[str, Any]:
        """A GeoJSON Feature: the LineString in [lon, lat] order, the figures and steps as properties."""
        return {
            "type": "Feature",
            "geometry": {
                "type": "LineString",
                "coordinates": rounded_pairs(self.coordinates, _COORDINATE_DIGITS, swap=True),
            },
            "properties": {"mode": "walk", **self._figures(), "steps": [step.to_dict() for step in self.steps]},
        }

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready fields, coordinates as [lat, lon] pairs."""
        return {
            "mode": "walk",
            **self._figures(),
            "coordinates": rounded_pairs(self.coordinates, _COORDINATE_DIGITS),
            "steps": [step.to_dict() for step in self.steps],
        }

    def _figures(self) -> dict[str, float]:
        return {
            "length_m": round(self.length_m, 1),
            "duration_s": round(self.duration_s, 1),
            "snap_from_m": round(self.snap_from_m, 1),
            "snap_to_m": round(self.snap_to_m, 1),
        }


@dataclass(frozen=True, eq=False)
class Pieces:
    """Edges walked tail to head, each from ``start_fraction`` to ``end_fraction`` of its length."""

    edge: NDArray[np.int64]
    start_fraction: NDArray[np.float64]
    end_fraction: NDArray[np.float64]


def assemble_journey(
    graph: FrozenGraph,
    pieces: Pieces,
    *,
    start: tuple[float, float],
    end: tuple[float, float],
    highway_kind: NDArray[np.int64],
    speed_mps: float,
    steps_penalty: float,
    snap_from_m: float,
    snap_to_m: float,
) -> WalkJourney:
    """Turn pieces into a :class:`WalkJourney`.

    Parameters
    ----------
    graph
        The graph the pieces' edges belong to.
    pieces
        The route, in walking order (may be empty when start and end coincide).
    start, end
        The snapped (lat, lon) the line starts and ends at.
    highway_kind
        :func:`highway_kinds` of the graph.
    speed_mps
        Walking speed on the flat.
    steps_penalty
        Factor on the time to walk a length of steps (the route itself is shortest by length).
    snap_from_m, snap_to_m
        Distances from the requested points to their streets, carried into the result.
    """
    run_key, run_m, run_s = _step_runs(
        (graph.length_m, graph.highway_index, graph.name_index, highway_kind),
        (pieces.edge, pieces.start_fraction, pieces.end_fraction),
        speed_mps,
        steps_penalty,
    )
    steps = _steps(graph, run_key, run_m, run_s)
    lat, lon = _line(graph, pieces, start, end)
    return WalkJourney(
        length_m=float(run_m.sum()),
        duration_s=float(run_s.sum()),
        coordinates=tuple(zip(lat.tolist(), lon.tolist(), strict=True)),
        steps=steps,
        snap_from_m=snap_from_m,
        snap_to_m=snap_to_m,
    )


def highway_kinds(graph: FrozenGraph) -> NDArray[np.int64]:
    """Step key of each highway kind (steps, unnamed path or unnamed street), by ``highway_index``.

    One extra last entry (a street) serves edges without a highway tag, whose index is -1.
    """
    kinds = [
        _KEY_STEPS if value in STEPS_HIGHWAYS else _KEY_PATH if value in PATH_HIGHWAYS else _KEY_STREET
        for value in graph.highways
    ]
    return np.array([*kinds, _KEY_STREET], dtype=np.int64)


@jit
def _step_runs(
    edges: tuple[NDArray[np.float64], NDArray[np.int16], NDArray[np.int32], NDArray[np.int64]],
    pieces: tuple[NDArray[np.int64], NDArray[np.float64], NDArray[np.float64]],
    speed_mps: float,
    steps_penalty: float,
) -> tuple[NDArray[np.int64], NDArray[np.float64], NDArray[np.float64]]:
    """Merge runs of pieces with the same step key into steps: key, length and duration of each run.

    A piece's key is its street name's index, or for steps and unnamed pieces its highway kind; pieces
    of (almost) zero length are skipped so that they do not split a run.
    """
    length_m, highway_index, name_index, highway_kind = edges
    edge, start_fraction, end_fraction = pieces
    count = edge.shape[0]
    run_key = np.empty(count, dtype=np.int64)
    run_m = np.zeros(count)
    run_s = np.zeros(count)
    runs = 0
    for i in range(count):
        piece_m = length_m[edge[i]] * abs(end_fraction[i] - start_fraction[i])
        if piece_m <= _MIN_STEP_M:
            continue
        kind = highway_kind[highway_index[edge[i]]]
        name = name_index[edge[i]]
        key = name if kind != _KEY_STEPS and name >= 0 else kind
        factor = steps_penalty if kind == _KEY_STEPS else 1.0
        if runs == 0 or run_key[runs - 1] != key:
            run_key[runs] = key
            runs += 1
        run_m[runs - 1] += piece_m
        run_s[runs - 1] += piece_m * factor / speed_mps
    return run_key[:runs], run_m[:runs], run_s[:runs]


def _steps(
    graph: FrozenGraph, run_key: NDArray[np.int64], run_m: NDArray[np.float64], run_s: NDArray[np.float64]
) -> tuple[WalkStep, ...]:
    """The steps of :func:`_step_runs`' runs, with their instructions."""
    steps = []
    for key, length_m, duration_s in zip(run_key.tolist(), run_m.tolist(), run_s.tolist(), strict=True):
        street = graph.names[key] if key >= 0 else None
        if key == _KEY_STEPS:
            instruction = f"Take the steps ({format_length(length_m)})"
        elif street is not None:
            instruction = f"Walk {format_length(length_m)} along {street}"
        elif key == _KEY_PATH:
            instruction = f"Walk {format_length(length_m)} along an unnamed path"
        else:
            instruction = f"Walk {format_length(length_m)} along an unnamed street"
        steps.append(WalkStep(street=street, length_m=length_m, duration_s=duration_s, instruction=instruction))
    return tuple(steps)


def _line(
    graph: FrozenGraph, pieces: Pieces, start: tuple[float, float], end: tuple[float, float]
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """The route's polyline: start, every vertex walked past, end; without repeated points."""
    geometry = (
        graph.indptr,
        graph.head,
        graph.node_lat,
        graph.node_lon,
        graph.geometry_offsets,
        graph.geometry_lat,
        graph.geometry_lon,
    )
    return _trace(geometry, (pieces.edge, pieces.start_fraction, pieces.end_fraction), start, end)


@jit
def _trace(
    geometry: tuple[
        NDArray[np.int64],
        NDArray[np.int32],
        NDArray[np.float64],
        NDArray[np.float64],
        NDArray[np.int64],
        NDArray[np.float64],
        NDArray[np.float64],
    ],
    pieces: tuple[NDArray[np.int64], NDArray[np.float64], NDArray[np.float64]],
    start: tuple[float, float],
    end: tuple[float, float],
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Compiled :func:`_line`: walk the pieces' polylines, cutting partial pieces where they start and end.

    A partial piece contributes the vertices strictly between its two fractions (measured along the
    polyline on the sphere) and the point at its end fraction.
    """
    indptr, head, node_lat, node_lon, offsets, geometry_lat, geometry_lon = geometry
    edges, start_fraction, end_fraction = pieces
    capacity = 2
    for i in range(edges.shape[0]):
        capacity += offsets[edges[i] + 1] - offsets[edges[i]] + 2
    lat = np.empty(capacity)
    lon = np.empty(capacity)
    lat[0], lon[0] = start
    count = 1
    for i in range(edges.shape[0]):
        edge = edges[i]
        tail = np.searchsorted(indptr, edge, side="right") - 1
        first, stop = offsets[edge], offsets[edge + 1]
        size = stop - first + 2
        # The edge's polyline: tail, interior points, head.
        line_lat = np.empty(size)
        line_lon = np.empty(size)
        line_lat[0], line_lon[0] = node_lat[tail], node_lon[tail]
        line_lat[1 : size - 1] = geometry_lat[first:stop]
        line_lon[1 : size - 1] = geometry_lon[first:stop]
        line_lat[size - 1], line_lon[size - 1] = node_lat[head[edge]], node_lon[head[edge]]
        if start_fraction[i] <= 0.0 and end_fraction[i] >= 1.0:
            lat[count : count + size - 1] = line_lat[1:]
            lon[count : count + size - 1] = line_lon[1:]
            count += size - 1
            continue
        along = np.zeros(size)
        for j in range(1, size):
            along[j] = along[j - 1] + great_circle_m(line_lat[j - 1], line_lon[j - 1], line_lat[j], line_lon[j])
        total = along[size - 1]
        if total <= 0.0:
            lat[count], lon[count] = line_lat[size - 1], line_lon[size - 1]
            count += 1
            continue
        along /= total
        target = end_fraction[i]
        for j in range(size):
            if start_fraction[i] < along[j] < target:
                lat[count], lon[count] = line_lat[j], line_lon[j]
                count += 1
        segment = size - 2
        for j in range(size - 1):
            if along[j + 1] >= target:
                segment = j
                break
        span = along[segment + 1] - along[segment]
        t = (target - along[segment]) / span if span > 0.0 else 0.0
        lat[count] = line_lat[segment] + t * (line_lat[segment + 1] - line_lat[segment])
        lon[count] = line_lon[segment] + t * (line_lon[segment + 1] - line_lon[segment])
        count += 1
    lat[count], lon[count] = end
    count += 1
    # Drop points that coincide with the one before; the last kept one becomes the exact end.
    kept = 1
    for j in range(1, count):
        if abs(lat[j] - lat[kept - 1]) > _SAME_POINT_DEG or abs(lon[j] - lon[kept - 1]) > _SAME_POINT_DEG:
            lat[kept], lon[kept] = lat[j], lon[j]
            kept += 1
    if kept < 2:
        # A LineString needs two positions, even for a walk of zero length.
        lat[1], lon[1] = end
        return lat[:2].copy(), lon[:2].copy()
    lat[kept - 1], lon[kept - 1] = end
    return lat[:kept].copy(), lon[:kept].copy()
