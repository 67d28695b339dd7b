"""GeoJSON of a line: one LineString per direction (the road path) and one Point per stop."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from routing.operators.line import LineSchedule


def line_geojson(
    schedule: LineSchedule, *, served: Mapping[str, Sequence[Mapping[str, Any]]] | None = None
) -> dict[str, Any]:
    """A FeatureCollection (coordinates ``[lon, lat]``, as GeoJSON wants).

    ``served`` (place id -> [{stop_id, walk_m}], as :func:`~routing.operators.evaluate.served_sites` gives) adds
    each stop's sites within walking distance to its properties.
    """
    by_stop: dict[str, list[str]] = {}
    for place_id, entries in (served or {}).items():
        for entry in entries:
            by_stop.setdefault(str(entry["stop_id"]), []).append(place_id)
    features: list[dict[str, Any]] = [
        {
            "type": "Feature",
            "geometry": {"type": "LineString", "coordinates": [[lon, lat] for lat, lon in direction.shape]},
            "properties": {
                "kind": "route",
                "line_id": schedule.line_id,
                "name": schedule.name,
                "direction": direction.direction,
                "length_m": round(direction.length_m, 1),
                "run_time_s": round(direction.run_time_s, 1),
                "headway_s": schedule.headway_s,
            },
        }
        for direction in schedule.directions
    ]
    order = {stop_id: index for index, stop_id in enumerate(dict.fromkeys(schedule.directions[0].stop_ids))}
    features.extend(
        {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [stop.lon, stop.lat]},
            "properties": {
                "kind": "stop",
                "stop_id": stop.stop_id,
                "name": stop.name,
                "order": order.get(stop.stop_id),
                "new": stop.is_new,
                "sites": sorted({*stop.sites, *by_stop.get(stop.stop_id, [])}),
            },
        }
        for stop in sorted(schedule.stops, key=lambda s: order.get(s.stop_id, len(order)))
    )
    return {"type": "FeatureCollection", "features": features}
