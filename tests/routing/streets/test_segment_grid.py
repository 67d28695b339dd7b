"""The grid's nearest-segment query against a brute-force scan of every segment (hypothesis)."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from routing.streets.segment_grid import SegmentGrid


def _brute_force(
    x: np.ndarray, y: np.ndarray, line_of_point: np.ndarray, point: tuple[float, float], allowed: np.ndarray | None
) -> float:
    """Distance from the point to the nearest allowed segment (inf when none)."""
    px, py = point
    best = np.inf
    for k in range(x.size - 1):
        if line_of_point[k] != line_of_point[k + 1] or (allowed is not None and not allowed[line_of_point[k]]):
            continue
        dx, dy = x[k + 1] - x[k], y[k + 1] - y[k]
        span = dx * dx + dy * dy
        t = 0.0 if span == 0 else min(max(((px - x[k]) * dx + (py - y[k]) * dy) / span, 0.0), 1.0)
        best = min(best, float(np.hypot(x[k] + t * dx - px, y[k] + t * dy - py)))
    return best


@st.composite
def _lines_and_points(draw: st.DrawFn) -> tuple[np.ndarray, np.ndarray, np.ndarray, int, np.ndarray, float]:
    line_count = draw(st.integers(1, 12))
    sizes = [draw(st.integers(2, 5)) for _ in range(line_count)]
    coordinate = st.floats(-500, 500, allow_nan=False, allow_infinity=False)
    total = sum(sizes)
    x = np.array([draw(coordinate) for _ in range(total)])
    y = np.array([draw(coordinate) for _ in range(total)])
    line_of_point = np.repeat(np.arange(line_count), sizes)
    points = np.array([[draw(st.floats(-900, 900)), draw(st.floats(-900, 900))] for _ in range(5)])
    cell_m = draw(st.sampled_from([7.0, 50.0, 333.0]))
    return x, y, line_of_point, line_count, points, cell_m


@settings(max_examples=150, deadline=None)
@given(case=_lines_and_points(), max_distance_m=st.sampled_from([30.0, 250.0, 5000.0]), masked=st.booleans())
def test_nearest_matches_brute_force(
    case: tuple[np.ndarray, np.ndarray, np.ndarray, int, np.ndarray, float], max_distance_m: float, masked: bool
) -> None:
    x, y, line_of_point, line_count, points, cell_m = case
    grid = SegmentGrid.build(x, y, line_of_point, line_count=line_count, cell_m=cell_m)
    allowed = (np.arange(line_count) % 2 == 0) if masked else None
    line, fraction, distance, snapped_x, snapped_y = grid.nearest(
        points[:, 0], points[:, 1], max_distance_m=max_distance_m, allowed_line=allowed
    )
    for q, (px, py) in enumerate(points):
        expected = _brute_force(x, y, line_of_point, (px, py), allowed)
        if expected <= max_distance_m - 1e-9:
            assert line[q] >= 0
            assert abs(distance[q] - expected) <= 1e-6 * max(1.0, expected)
            assert allowed is None or allowed[line[q]]
            assert 0.0 <= fraction[q] <= 1.0
            assert abs(np.hypot(snapped_x[q] - px, snapped_y[q] - py) - distance[q]) <= 1e-6 * max(1.0, expected)
        elif expected > max_distance_m + 1e-9:
            assert line[q] == -1
            assert np.isnan(distance[q])


def test_fraction_is_measured_along_the_whole_polyline() -> None:
    # One L-shaped line: 100 m east then 100 m north; a point beside the second leg's middle.
    x = np.array([0.0, 100.0, 100.0])
    y = np.array([0.0, 0.0, 100.0])
    grid = SegmentGrid.build(x, y, np.zeros(3, dtype=np.int64), line_count=1)
    line, fraction, distance, _, _ = grid.nearest(np.array([110.0]), np.array([50.0]), max_distance_m=20.0)
    assert line[0] == 0
    assert fraction[0] == 0.75
    assert distance[0] == 10.0


def test_empty_grid_finds_nothing() -> None:
    empty = np.zeros(0)
    grid = SegmentGrid.build(empty, empty, np.zeros(0, dtype=np.int64), line_count=0)
    line, *_ = grid.nearest(np.array([0.0]), np.array([0.0]), max_distance_m=100.0)
    assert line[0] == -1
