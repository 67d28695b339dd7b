"""Street islands: small pieces of the walk graph that no path joins to the main network.

OSM has many: the paths inside a walled temple or a park whose gates are not mapped, a courtyard, a
footbridge cut by the extract's edge. A point whose nearest street is on such an island cannot reach the
rest of the city, so when a route would cross between components the router snaps that point to the
nearest street of the main network instead, if one lies within the snap distance.
"""

from __future__ import annotations

import numpy as np

from routing.graph.frozen import FrozenGraph
from routing.streets.components import strong_components
from routing.streets.snap import EdgeSnapper, SnapResult


class MainNetwork:
    """The graph's main component, searchable for its nearest street.

    The main component is the one of :func:`~routing.streets.components.strong_components` (the package's one
    rule); ``index`` is a nearest-street index over the whole graph to share (else one is built here).
    """

    def __init__(self, graph: FrozenGraph, *, index: EdgeSnapper | None = None) -> None:
        self.graph = graph
        self.component, self.main_component = strong_components(graph)
        main = self.component == self.main_component
        main_edge = np.asarray(main[graph.tail()] & main[graph.head])
        self._snapper = (index if index is not None else EdgeSnapper(graph)).restricted(main_edge)

    def is_main(self, node: int) -> bool:
        """Whether ``node`` belongs to the main network."""
        return bool(self.component[node] == self.main_component)

    def snap(self, lat: float, lon: float, *, max_distance_m: float) -> SnapResult:
        """Snap a point to the nearest street of the main network."""
        return self._snapper.snap([lat], [lon], max_distance_m=max_distance_m)
