"""The served bus network: routes, stops, periods, the RAPTOR timetable and the stop-to-stop walking transfers.

How the network is compiled from OSM and GTFS lives in :mod:`routing.build.transit`.
"""

from routing.transit.model import BusNetwork, BusRoute, BusStop, ServicePeriod, SpeedModel
from routing.transit.timetable import Timetable
from routing.transit.transfers import Transfers, build_transfers

__all__ = [
    "BusNetwork",
    "BusRoute",
    "BusStop",
    "ServicePeriod",
    "SpeedModel",
    "Timetable",
    "Transfers",
    "build_transfers",
]
