"""The city's bus network compiled from OSM bus relations and the World Bank 2018 GTFS (see ``compile.py``)."""

from routing.transit.compile import LegDistanceFn, compile_bus_network
from routing.transit.matching import normalise_line_ref
from routing.transit.model import BusNetwork, BusRoute, BusStop, ServicePeriod, SpeedModel

__all__ = [
    "BusNetwork",
    "BusRoute",
    "BusStop",
    "LegDistanceFn",
    "ServicePeriod",
    "SpeedModel",
    "compile_bus_network",
    "normalise_line_ref",
]
