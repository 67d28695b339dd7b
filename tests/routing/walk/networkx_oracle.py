"""networkx as the oracle of the walk tests: its shortest length, and a length compared with it."""

from __future__ import annotations

import math

import networkx as nx
import pytest


def networkx_length(graph: nx.MultiDiGraph, source: object, target: object) -> float:
    """The shortest ``length`` from ``source`` to ``target``; infinity when no path joins them."""
    try:
        return float(nx.shortest_path_length(graph, source, target, weight="length"))
    except nx.NetworkXNoPath:
        return math.inf


def assert_same_length(actual: float, expected: float, *, rel: float, abs_m: float) -> None:
    """Both infinite (no path), or within ``rel`` of the expected length and at least ``abs_m`` metres."""
    if math.isinf(expected):
        assert math.isinf(actual)
    else:
        assert actual == pytest.approx(expected, rel=rel, abs=abs_m)
