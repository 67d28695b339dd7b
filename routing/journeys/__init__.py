"""Bus + walk journeys with RAPTOR over the bundle's frequency-based bus network.

Build time (the bundle builder stores both files)::

    Timetable.from_network(bundle.bus).save(directory / "timetable.npz")
    build_transfers(bundle.bus, bundle.walk, bundle.stop_access).save(directory / "transfers.npz")

Serving (build the planner once; about a second on Hanoi)::

    planner = BusPlanner(
        bundle.bus, Timetable.load(...), Transfers.load(...), bundle.walk, bundle.stop_access, drive=bundle.drive
    )
    access = bundle.place_access[place_id]
    to_access = planner.access_list(access["access_stops"]) if access["off_network"] else None
    plan = planner.plan(from_lat, from_lon, to_lat, to_lon, depart_s=9 * 3600, to_access=to_access)
    plan.best.to_dict(); plan.best.to_geojson(); plan.to_dict()
"""

from routing.journeys.journey import BusLeg, BusPlan, Journey, WalkLeg, clock
from routing.journeys.planner import MAX_INITIAL_WAIT_S, MAX_RIDES, MIN_CHANGE_S, AccessList, BusPlanner
from routing.journeys.search import Label, SearchIndex, SearchResult, raptor

__all__ = [
    "MAX_INITIAL_WAIT_S",
    "MAX_RIDES",
    "MIN_CHANGE_S",
    "AccessList",
    "BusLeg",
    "BusPlan",
    "BusPlanner",
    "Journey",
    "Label",
    "SearchIndex",
    "SearchResult",
    "WalkLeg",
    "clock",
    "raptor",
]
