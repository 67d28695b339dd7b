"""Putting stops in running order: projection along a reference route, local repair, and direction by road side.

All functions work on planar coordinates in metres (``routing.geo.LocalProjection``), shape ``(n, 2)``.

Why this exists: the OSM relations list their stops in an unreliable order (see ``osm_relations.py``). Two repairs:

* With a matched World Bank route (whose S1..Sn order is right: on 99 % of its lines the other direction's stops lie
  on the left of the travel direction, as they must with right-hand traffic), the OSM stops are sorted by where
  they project along the World Bank route (:func:`chainage`).
* Without one, :func:`repair_order` removes crossings and zig-zags with 2-opt moves on the open path (either end may
  move), and :func:`prefer_right_hand` picks the direction in which the line's other relation lies on the left.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]


def path_length_m(xy: FloatArray) -> float:
    """Length of the polyline through the points in order."""
    if len(xy) < 2:
        return 0.0
    return float(np.hypot(*np.diff(xy, axis=0).T).sum())


def project_onto_polyline(points: FloatArray, polyline: FloatArray) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Project points onto a polyline.

    Returns
    -------
    chainage_m
        Distance along the polyline to each point's projection.
    offset_m
        Distance from each point to the polyline.
    side
        Signed cross product sign: +1 when the point lies left of the polyline's direction, -1 right, 0 on it.
    """
    n = len(points)
    if len(polyline) < 2:
        distance = np.hypot(*(points - polyline[0]).T) if len(polyline) else np.full(n, np.inf)
        return np.zeros(n), np.asarray(distance, dtype=np.float64), np.zeros(n)
    start = polyline[:-1]
    vector = np.diff(polyline, axis=0)
    length2 = (vector**2).sum(axis=1)
    cumulative = np.concatenate([[0.0], np.cumsum(np.sqrt(length2))])
    safe = np.where(length2 > 0, length2, 1.0)
    relative = points[:, None, :] - start[None, :, :]
    t = np.clip((relative * vector[None, :, :]).sum(axis=2) / safe[None, :], 0.0, 1.0)
    foot = start[None, :, :] + t[:, :, None] * vector[None, :, :]
    distance = np.hypot(points[:, None, 0] - foot[:, :, 0], points[:, None, 1] - foot[:, :, 1])
    best = np.argmin(distance, axis=1)
    rows = np.arange(n)
    chainage_m = cumulative[best] + t[rows, best] * np.sqrt(length2[best])
    cross = vector[best, 0] * relative[rows, best, 1] - vector[best, 1] * relative[rows, best, 0]
    return (
        np.asarray(chainage_m, dtype=np.float64),
        np.asarray(distance[rows, best], dtype=np.float64),
        np.asarray(np.sign(cross), dtype=np.float64),
    )


def chainage(points: FloatArray, polyline: FloatArray) -> FloatArray:
    """Distance along ``polyline`` to the projection of each point (see :func:`project_onto_polyline`)."""
    return project_onto_polyline(points, polyline)[0]


def repair_order(xy: FloatArray, *, max_passes: int = 200) -> IntArray:
    """Re-order stops to remove zig-zags: best-improvement 2-opt on the open path, both ends free.

    Starts from the given order, so a nearly right order stays nearly as it is; deterministic.

    Returns
    -------
    order
        A permutation of ``range(len(xy))``.
    """
    n = len(xy)
    order = np.arange(n, dtype=np.int64)
    if n < 4:
        return order
    distance = np.hypot(xy[:, None, 0] - xy[None, :, 0], xy[:, None, 1] - xy[None, :, 1])
    for _ in range(max_passes):
        p = order
        # Reversing p[i+1 .. j] replaces edges (i, i+1) and (j, j+1) with (i, j) and (i+1, j+1); a missing
        # edge at either end (i = -1 or j = n-1) costs 0, which lets the path's ends move.
        before = np.concatenate([[0.0], distance[p[:-1], p[1:]], [0.0]])  # edge k-1 -> k, padded at both ends
        i = np.arange(-1, n - 1)[:, None]
        j = np.arange(0, n)[None, :]
        valid = j > i + 1
        a = p[np.clip(i, 0, n - 1)]
        b = p[np.clip(i + 1, 0, n - 1)]
        c = p[np.clip(j, 0, n - 1)]
        d = p[np.clip(j + 1, 0, n - 1)]
        old = before[i + 1] + before[np.clip(j + 1, 0, n)]
        new = np.where(i >= 0, distance[a, c], 0.0) + np.where(j < n - 1, distance[b, d], 0.0)
        gain = np.where(valid, old - new, 0.0)
        best = int(np.argmax(gain))
        if gain.flat[best] <= 1e-6:
            break
        start, end = divmod(best, n)  # row r holds i = r - 1, so the reversed slice is p[r .. j]
        order = np.concatenate([p[:start], p[start : end + 1][::-1], p[end + 1 :]])
    return order


def left_fraction(
    path: FloatArray, others: FloatArray, *, min_offset_m: float = 5.0, max_offset_m: float = 80.0
) -> tuple[float, int]:
    """Share of ``others`` (stops of the opposite direction) lying left of ``path``.

    Only points between ``min_offset_m`` and ``max_offset_m`` from the path count: farther ones are on other
    streets, nearer ones are shared platforms.

    Returns
    -------
    fraction, count
        The share on the left (0.5 when no point counts) and how many points counted.
    """
    if len(path) < 2 or len(others) == 0:
        return 0.5, 0
    _, offset, side = project_onto_polyline(others, path)
    use = (offset >= min_offset_m) & (offset <= max_offset_m) & (side != 0)
    count = int(use.sum())
    if count == 0:
        return 0.5, 0
    return float((side[use] > 0).mean()), count


def prefer_right_hand(path: FloatArray, others: FloatArray, *, min_points: int = 3) -> bool | None:
    """Whether ``path`` runs the right way for right-hand traffic, judged by the opposite direction's stops.

    Returns
    -------
    True if most opposite stops lie on its left, False if most lie on its right, None if fewer than
    ``min_points`` stops could be judged or they split evenly.
    """
    fraction, count = left_fraction(path, others)
    if count < min_points or fraction == 0.5:
        return None
    return fraction > 0.5
