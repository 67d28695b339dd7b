"""Compiling the city's bus network from OSM bus relations and the World Bank 2018 GTFS (see ``compile.py``)."""

from routing.build.transit.compile import LegDistanceFn, compile_bus_network
from routing.build.transit.matching import normalise_line_ref

__all__ = ["LegDistanceFn", "compile_bus_network", "normalise_line_ref"]
