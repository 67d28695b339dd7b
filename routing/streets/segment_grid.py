"""A uniform grid over line segments in a local metric plane, and a compiled nearest-segment query.

Why not shapely's STRtree: a route request snaps two points, and the tree's per-call overhead (building
point geometries, the query, locating the point on the line, interpolating it) came to about 0.1 ms a
point, more than the shortest-path search itself. Street segments are short and spread evenly over a
city, which is what a uniform grid is good at: the compiled query scans the point's cell and rings of
cells around it until no unscanned cell can hold anything nearer, in a few microseconds.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TypeAlias

import numpy as np
from numpy.typing import NDArray

from routing.compiled import jit

GridArrays: TypeAlias = tuple[
    tuple[
        NDArray[np.float64],
        NDArray[np.float64],
        NDArray[np.float64],
        NDArray[np.float64],
        NDArray[np.int64],
        NDArray[np.float64],
        NDArray[np.float64],
    ],
    tuple[float, float, float, int, int, NDArray[np.int64], NDArray[np.int64]],
]
"""Segments (x0, y0, x1, y1, line, along0, line_length) and grid (x_min, y_min, cell_m, columns, rows,
cell_start, cell_segment), as compiled kernels take them."""

DEFAULT_CELL_M = 50.0
"""Cell side: a few street segments per cell in a dense old quarter, rarely more than a dozen."""


@dataclass(frozen=True, eq=False)
class SegmentGrid:
    """Segments of polylines, bucketed by the grid cells their bounding boxes overlap.

    Segment ``k`` runs from ``(x0[k], y0[k])`` to ``(x1[k], y1[k])`` on polyline ``line[k]``, starting
    ``along0[k]`` metres from the polyline's start; ``line_length[i]`` is polyline ``i``'s planar length.
    Cell ``(i, j)`` (column ``i`` from ``x_min``, row ``j`` from ``y_min``) holds the segments
    ``cell_segment[cell_start[c]:cell_start[c + 1]]`` with ``c = j * columns + i``.
    """

    x0: NDArray[np.float64]
    y0: NDArray[np.float64]
    x1: NDArray[np.float64]
    y1: NDArray[np.float64]
    line: NDArray[np.int64]
    along0: NDArray[np.float64]
    line_length: NDArray[np.float64]
    x_min: float
    y_min: float
    cell_m: float
    columns: int
    rows: int
    cell_start: NDArray[np.int64]
    cell_segment: NDArray[np.int64]

    @classmethod
    def build(
        cls,
        x: NDArray[np.float64],
        y: NDArray[np.float64],
        line_of_point: NDArray[np.int64],
        *,
        line_count: int,
        cell_m: float = DEFAULT_CELL_M,
    ) -> SegmentGrid:
        """Index polylines given as their vertices in order, grouped by ``line_of_point`` (non-decreasing).

        Raises
        ------
        ValueError
            If ``cell_m`` is not positive.
        """
        if not cell_m > 0:
            raise ValueError(f"cell_m must be positive, not {cell_m}")
        same_line = line_of_point[1:] == line_of_point[:-1]
        start = np.flatnonzero(same_line)
        x0, y0, x1, y1 = x[start], y[start], x[start + 1], y[start + 1]
        line = line_of_point[start].astype(np.int64)
        segment_m = np.hypot(x1 - x0, y1 - y0)
        line_length = np.bincount(line, weights=segment_m, minlength=line_count).astype(np.float64)
        # Length along the polyline before each segment: a running sum restarted at each polyline.
        running = np.cumsum(segment_m) - segment_m
        first_of_line = np.concatenate(([True], line[1:] != line[:-1])) if line.size else np.zeros(0, dtype=bool)
        line_offset = running[first_of_line]
        along0 = running - np.repeat(line_offset, np.diff(np.append(np.flatnonzero(first_of_line), line.size)))
        x_min = float(x.min()) if x.size else 0.0
        y_min = float(y.min()) if y.size else 0.0
        columns = int((float(x.max()) - x_min) // cell_m) + 1 if x.size else 1
        rows = int((float(y.max()) - y_min) // cell_m) + 1 if y.size else 1
        cell_start, cell_segment = _bucket(
            (np.minimum(x0, x1), np.minimum(y0, y1), np.maximum(x0, x1), np.maximum(y0, y1)),
            (x_min, y_min, cell_m),
            columns,
            rows,
        )
        return cls(
            x0=x0,
            y0=y0,
            x1=x1,
            y1=y1,
            line=line,
            along0=along0.astype(np.float64),
            line_length=line_length,
            x_min=x_min,
            y_min=y_min,
            cell_m=float(cell_m),
            columns=columns,
            rows=rows,
            cell_start=cell_start,
            cell_segment=cell_segment,
        )

    def nearest(
        self,
        x: NDArray[np.float64],
        y: NDArray[np.float64],
        *,
        max_distance_m: float,
        allowed_line: NDArray[np.bool_] | None = None,
    ) -> tuple[NDArray[np.int64], NDArray[np.float64], NDArray[np.float64], NDArray[np.float64], NDArray[np.float64]]:
        """Nearest polyline of each point within ``max_distance_m`` (planar), among the allowed ones.

        Returns
        -------
        line, fraction, distance_m, snapped_x, snapped_y
            Per point: the polyline (-1 if none is near enough), the point's position along it as a
            fraction of its length, the planar distance and the nearest point on it.
        """
        allowed = np.ones(0, dtype=np.bool_) if allowed_line is None else allowed_line
        return _nearest(
            self.kernel_arrays(),
            (np.ascontiguousarray(x, dtype=np.float64), np.ascontiguousarray(y, dtype=np.float64)),
            float(max_distance_m),
            allowed,
        )

    def kernel_arrays(self) -> GridArrays:
        """The grid as the tuple compiled kernels take (see :func:`nearest_segment`)."""
        return (
            (self.x0, self.y0, self.x1, self.y1, self.line, self.along0, self.line_length),
            (self.x_min, self.y_min, self.cell_m, self.columns, self.rows, self.cell_start, self.cell_segment),
        )

    @property
    def nbytes(self) -> int:
        """Memory held by the arrays."""
        arrays = (self.x0, self.y0, self.x1, self.y1, self.line, self.along0, self.line_length)
        return sum(a.nbytes for a in arrays) + self.cell_start.nbytes + self.cell_segment.nbytes


@jit
def _bucket(
    boxes: tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64], NDArray[np.float64]],
    origin: tuple[float, float, float],
    columns: int,
    rows: int,
) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """CSR of cell -> segments whose bounding box overlaps the cell (counting pass, then filling pass)."""
    left, bottom, right, top = boxes
    x_min, y_min, cell_m = origin
    count = np.zeros(columns * rows + 1, dtype=np.int64)
    segments = left.shape[0]
    # Each segment's cell range, once for both passes.
    i0 = np.minimum(((left - x_min) // cell_m).astype(np.int64), columns - 1)
    i1 = np.minimum(((right - x_min) // cell_m).astype(np.int64), columns - 1)
    j0 = np.minimum(((bottom - y_min) // cell_m).astype(np.int64), rows - 1)
    j1 = np.minimum(((top - y_min) // cell_m).astype(np.int64), rows - 1)
    for k in range(segments):
        for j in range(j0[k], j1[k] + 1):
            for i in range(i0[k], i1[k] + 1):
                count[j * columns + i + 1] += 1
    start = np.cumsum(count)
    fill = start[:-1].copy()
    member = np.empty(start[-1], dtype=np.int64)
    for k in range(segments):
        for j in range(j0[k], j1[k] + 1):
            for i in range(i0[k], i1[k] + 1):
                cell = j * columns + i
                member[fill[cell]] = k
                fill[cell] += 1
    return start, member


@jit
def nearest_segment(
    arrays: GridArrays, px: float, py: float, max_distance_m: float, allowed: NDArray[np.bool_]
) -> tuple[int, float, float, float, float]:
    """The segment nearest to one point within ``max_distance_m``, by a ring search outwards from its cell.

    The search stops once the best distance found is no more than the distance to the next ring, or
    beyond the maximum. ``allowed`` is a mask over polylines (empty: all allowed).

    Returns
    -------
    line, fraction, distance_m, snapped_x, snapped_y
        The polyline (-1 if none is near enough), the position along it as a fraction of its length, the
        planar distance and the nearest point.
    """
    (x0, y0, x1, y1, line, along0, line_length), grid = arrays
    x_min, y_min, cell_m, columns, rows, cell_start, cell_segment = grid
    check_allowed = allowed.shape[0] > 0
    max_ring = int(max_distance_m // cell_m) + 1
    ci = math.floor((px - x_min) / cell_m)
    cj = math.floor((py - y_min) / cell_m)
    best = max_distance_m * max_distance_m
    found = -1
    found_t = 0.0
    for ring in range(max_ring + 1):
        # Cells of this ring, clipped to the grid.
        for i in range(max(ci - ring, 0), min(ci + ring, columns - 1) + 1):
            edge_column = i == ci - ring or i == ci + ring
            step = 1 if edge_column else 2 * ring
            j = cj - ring
            while j <= cj + ring:
                if 0 <= j < rows:
                    cell = j * columns + i
                    for m in range(cell_start[cell], cell_start[cell + 1]):
                        k = cell_segment[m]
                        if check_allowed and not allowed[line[k]]:
                            continue
                        dx = x1[k] - x0[k]
                        dy = y1[k] - y0[k]
                        span = dx * dx + dy * dy
                        t = 0.0
                        if span > 0.0:
                            t = min(max(((px - x0[k]) * dx + (py - y0[k]) * dy) / span, 0.0), 1.0)
                        ex = x0[k] + t * dx - px
                        ey = y0[k] + t * dy - py
                        d = ex * ex + ey * ey
                        if d < best or (d == best and found < 0):
                            best = d
                            found = k
                            found_t = t
                j += step
        reach = ring * cell_m
        if found >= 0 and best <= reach * reach:
            break
    if found < 0:
        return -1, math.nan, math.nan, math.nan, math.nan
    total = line_length[line[found]]
    segment_m = math.hypot(x1[found] - x0[found], y1[found] - y0[found])
    fraction = min(max((along0[found] + found_t * segment_m) / total, 0.0), 1.0) if total > 0.0 else 0.0
    snapped_x = x0[found] + found_t * (x1[found] - x0[found])
    snapped_y = y0[found] + found_t * (y1[found] - y0[found])
    return line[found], fraction, math.sqrt(best), snapped_x, snapped_y


@jit
def _nearest(
    arrays: GridArrays,
    points: tuple[NDArray[np.float64], NDArray[np.float64]],
    max_distance_m: float,
    allowed: NDArray[np.bool_],
) -> tuple[NDArray[np.int64], NDArray[np.float64], NDArray[np.float64], NDArray[np.float64], NDArray[np.float64]]:
    """:func:`nearest_segment` for many points."""
    px, py = points
    count = px.shape[0]
    line = np.full(count, -1, dtype=np.int64)
    fraction = np.full(count, np.nan)
    distance = np.full(count, np.nan)
    snapped_x = np.full(count, np.nan)
    snapped_y = np.full(count, np.nan)
    for q in range(count):
        line[q], fraction[q], distance[q], snapped_x[q], snapped_y[q] = nearest_segment(
            arrays, px[q], py[q], max_distance_m, allowed
        )
    return line, fraction, distance, snapped_x, snapped_y
