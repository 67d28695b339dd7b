"""Before/after isochrones of a line: the area reachable from a point within some minutes, today and with the line."""

from __future__ import annotations

from typing import Any

from routing.bundle.load import CityBundle
from routing.journeys.isochrone import isochrone
from routing.journeys.planner import BusPlanner
from routing.journeys.rows import TravelTimes
from routing.operators.line import LineSchedule
from routing.operators.network import add_line


def line_isochrones(
    bundle: CityBundle, schedule: LineSchedule, lat: float, lon: float, *, minutes: float, depart_s: int
) -> dict[str, Any]:
    """A GeoJSON FeatureCollection: the ``before`` and ``after`` areas (bus + walk, leaving at ``depart_s``).

    Raises
    ------
    RoutingError
        As :func:`routing.journeys.isochrone.isochrone` (a start off the streets, no service, minutes out of range).
    """
    extended = add_line(bundle.bus, bundle.timetable, bundle.walk, bundle.stop_access, schedule)
    planners = {
        "before": BusPlanner(bundle.bus, bundle.timetable, bundle.transfers, bundle.walk, bundle.stop_access),
        "after": BusPlanner(extended.bus, extended.timetable, extended.transfers, bundle.walk, extended.stop_access),
    }
    features = []
    for label, planner in planners.items():
        times = TravelTimes(planner, bundle.places, bundle.place_access, walk_index=bundle.walk_index)
        area = isochrone(times, lat, lon, minutes=minutes, mode="bus", depart_s=depart_s, simplify_m=15.0)
        feature = area.to_geojson()
        feature["properties"] = {**feature["properties"], "network": label, "places": len(area.places)}
        features.append(feature)
    return {"type": "FeatureCollection", "features": features}
