"""A folium map of an itinerary: numbered stops, legs coloured by mode, popups with times; one layer per day.

The result is one folium map that `heritage plan --map` writes as a self-contained HTML page (Leaflet and jQuery
inlined by :func:`cli.maps.self_contained_map_html`; only the OpenStreetMap tiles come from the network) that opens in a
browser without any server of ours.
"""

from __future__ import annotations

import html
from typing import Any, Final

import folium

from recommender.trip.itinerary import DayPlan, Itinerary, PlannedVisit, clock

_folium: Any = folium
"""folium's line class has no type hints."""

MODE_STYLE: Final[dict[str, dict[str, object]]] = {
    "walk": {"color": "#2e7d32", "weight": 4, "dash_array": "6 6"},
    "bus": {"color": "#1565c0", "weight": 5},
}
"""How each mode's lines are drawn: walking dashed green, bus solid blue."""
_DAY_COLOURS: Final[tuple[str, ...]] = ("#c62828", "#6a1b9a", "#ef6c00", "#00838f", "#4e342e", "#ad1457", "#283593")
_ATTRIBUTION: Final[str] = "© OpenStreetMap contributors (ODbL); bus data: OSM and World Bank GTFS"


def itinerary_map(itinerary: Itinerary) -> folium.Map:
    """The map of the whole trip, fitted to its stops and legs."""
    points = [(visit.place.lat, visit.place.lon) for visit in itinerary.visits]
    points += [day.start for day in itinerary.days] + [day.end for day in itinerary.days]
    centre = (sum(lat for lat, _ in points) / len(points), sum(lon for _, lon in points) / len(points))
    figure = folium.Map(location=centre, zoom_start=13, tiles=None, control_scale=True)
    folium.TileLayer("OpenStreetMap", attr=_ATTRIBUTION).add_to(figure)
    for day in itinerary.days:
        _day_layer(day, len(itinerary.days)).add_to(figure)
    if len(itinerary.days) > 1:
        folium.LayerControl(collapsed=False).add_to(figure)
    root: Any = figure.get_root()
    root.html.add_child(folium.Element(_legend()))
    south, west = min(lat for lat, _ in points), min(lon for _, lon in points)
    north, east = max(lat for lat, _ in points), max(lon for _, lon in points)
    figure.fit_bounds([[south, west], [north, east]])
    return figure


def _day_layer(day: DayPlan, day_count: int) -> folium.FeatureGroup:
    colour = _DAY_COLOURS[day.day % len(_DAY_COLOURS)]
    layer = folium.FeatureGroup(name=f"Day {day.day + 1} ({day.date.isoformat()})" if day_count > 1 else "Plan")
    for leg_index, leg in enumerate(day.legs):
        for feature in leg.features:
            coordinates = feature.get("geometry", {}).get("coordinates", [])
            if len(coordinates) < 2:
                continue
            mode = str(feature.get("properties", {}).get("mode", leg.mode))
            style = MODE_STYLE.get(mode, MODE_STYLE["walk"])
            label = feature.get("properties", {}).get("ref")
            tooltip = f"bus {label}" if mode == "bus" and label else mode
            _folium.PolyLine(
                [(lat, lon) for lon, lat in coordinates],
                tooltip=f"{tooltip}: {leg.from_name} → {leg.to_name}",
                popup=folium.Popup(
                    f"<b>Leg {leg_index + 1}</b> ({html.escape(leg.mode)})<br>{html.escape(leg.from_name)} → "
                    f"{html.escape(leg.to_name)}<br>{clock(leg.depart_s)}–{clock(leg.arrive_s)}, "
                    f"walk {leg.walk_m:,.0f} m, {leg.rides} bus ride(s)",
                    max_width=320,
                ),
                **style,
            ).add_to(layer)
    start, end = f"Start: {day.start_name}", f"End: {day.end_name}"
    _endpoint_marker(day.start, start, f"leave {clock(day.depart_s)}", "black", "home").add_to(layer)
    if day.end != day.start:
        _endpoint_marker(day.end, end, f"arrive {clock(day.arrive_s)}", "gray", "flag").add_to(layer)
    for order, visit in enumerate(day.visits, start=1):
        folium.Marker(
            (visit.place.lat, visit.place.lon),
            tooltip=f"{order}. {visit.place.name_en} {clock(visit.start_s)}–{clock(visit.end_s)}",
            popup=folium.Popup(_visit_popup(order, visit), max_width=320),
            icon=folium.DivIcon(html=_number_icon(order, colour), icon_size=(28, 28), icon_anchor=(14, 14)),
        ).add_to(layer)
    return layer


def _endpoint_marker(point: tuple[float, float], label: str, when: str, colour: str, icon: str) -> folium.Marker:
    """Where the day starts or ends: `label` ("Start: <name>") on hover, and with `when` in the popup."""
    return folium.Marker(
        point, tooltip=label, popup=f"{html.escape(label)}, {when}", icon=folium.Icon(color=colour, icon=icon)
    )


def _visit_popup(order: int, visit: PlannedVisit) -> str:
    place = visit.place
    lines = [
        f"<b>{order}. {html.escape(place.name_en)}</b> ({html.escape(place.name_vi)})",
        f"{html.escape(visit.kind)}: arrive {clock(visit.arrival_s)}, {clock(visit.start_s)}–{clock(visit.end_s)}",
        f"ticket / spend: {place.price_vnd:,} VND; opening hours: {html.escape(place.opening_hours)}",
        "why: " + html.escape("; ".join(visit.reasons)),
    ]
    return "<br>".join(lines)


def _number_icon(order: int, colour: str) -> str:
    return (
        f'<div style="background:{colour};color:#fff;border-radius:50%;width:28px;height:28px;'
        f"line-height:28px;text-align:center;font:bold 14px sans-serif;border:2px solid #fff;"
        f'box-shadow:0 0 3px #000">{order}</div>'
    )


def _legend() -> str:
    return (
        '<div style="position:fixed;bottom:24px;left:24px;z-index:9999;background:#fff;padding:8px 10px;'
        'border-radius:4px;box-shadow:0 0 4px #888;font:13px sans-serif">'
        '<span style="color:#2e7d32">- - -</span> walk &nbsp; '
        '<span style="color:#1565c0">&#9473;&#9473;</span> bus &nbsp; numbers: visit order</div>'
    )
