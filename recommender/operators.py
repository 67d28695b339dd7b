"""Operator tools on the city: the catalogue's places handed to ``routing.operators`` as plain sites, and a map.

``routing`` designs and evaluates lines on plain records; this module resolves what an operator types (interest
names, place ids, terminals as a place or ``lat,lon``) against the catalogue, so the CLI and the API share it.
"""

from __future__ import annotations

import html
import math
import statistics
from collections.abc import Mapping, MutableMapping, Sequence
from dataclasses import dataclass
from typing import Any

import folium

from recommender.city import City
from recommender.communes.access import Getting, getting_there
from recommender.communes.stories import Story, communes
from recommender.locate import resolve_location
from recommender.scoring import Interests
from recommender.wards import Wards, default_wards
from routing import (
    PAIR_CATEGORIES,
    CityRouter,
    DesignedLine,
    DesignOptions,
    LineEvaluation,
    Objective,
    Origin,
    RoutingError,
    Site,
    Terminal,
    design_line,
    evaluate_line,
    resident_access,
)

_folium: Any = folium
_ATTRIBUTION = "© OpenStreetMap contributors (ODbL); bus data: OSM and World Bank GTFS"


@dataclass(frozen=True)
class LineProposal:
    """A designed line and what it changes."""

    line: DesignedLine
    evaluation: LineEvaluation | None
    residents: dict[str, Any] | None = None

    def to_dict(self) -> dict[str, Any]:
        """The line's summary with the evaluation (summary, sites served, top five sites) merged in."""
        payload = self.line.to_dict()
        if self.evaluation is not None:
            evaluation = self.evaluation.to_dict()
            payload["sites_served"] = evaluation["sites_served"]
            payload["sites_served_count"] = len(evaluation["sites_served"])
            payload["evaluation"] = {
                "summary": evaluation["summary"],
                "top_sites": evaluation["top_sites"],
                "savings_histogram": evaluation["savings_histogram"],
                "per_site": evaluation["per_site"],
                "timings_s": evaluation["timings_s"],
            }
        if self.residents is not None:
            payload["residents"] = self.residents
        return payload


def city_sites(city: City) -> list[Site]:
    """The catalogue as plain sites."""
    return [
        Site(
            place.id,
            place.name_en,
            place.lat,
            place.lon,
            tuple(c.value for c in place.categories),
            popularity=float(place.popularity) if place.popularity is not None else 0.5,
        )
        for place in city.catalogue.places
    ]


def ward_origins(wards: Wards) -> list[Origin]:
    """Each ward or commune as an origin weighted by its population.

    Units without a population figure are weighted by their area at the median density of the units that have
    one (``weight_estimated``): the 2025 file lacks figures for some units (docs/DATA.md).
    """
    units = list(wards)
    area = {}
    for unit in units:
        point = unit.polygon.representative_point()
        area[unit.id] = unit.polygon.area * (111_320.0**2) * math.cos(math.radians(point.y))
    densities = [unit.population / area[unit.id] for unit in units if unit.population and area[unit.id] > 0]
    density = statistics.median(densities) if densities else 0.0
    origins = []
    for unit in units:
        point = unit.polygon.representative_point()
        estimated = not unit.population
        weight = float(unit.population) if unit.population else area[unit.id] * density
        origins.append(Origin(unit.id, unit.name, float(point.y), float(point.x), weight, None, estimated))
    return origins


def parse_interests(names: Sequence[str]) -> tuple[str, ...]:
    """Interest names (aliases allowed) -> category values.

    Raises
    ------
    recommender.scoring.UnknownInterestError
        For a name that is no category (with suggestions).
    """
    interests = Interests.parse([name for name in names if name.strip()])
    return tuple(category.value for category in interests.weights)


def terminal(text: str, city: City) -> Terminal:
    """A terminal from a place id, a place name or ``lat,lon``.

    Raises
    ------
    recommender.errors.RecommenderError
        For an unknown place or a malformed coordinate.
    """
    location = resolve_location(text, city.catalogue)
    return Terminal(location.lat, location.lon, location.label)


def propose_line(
    city: City,
    *,
    interests: Sequence[str] = (),
    place_ids: Sequence[str] = (),
    start: str | None = None,
    end: str | None = None,
    options: DesignOptions | None = None,
    evaluate: bool = True,
    objective: Objective = "visitors",
) -> LineProposal:
    """Design a line on the city and (by default) evaluate it over every heritage / CI centre pair.

    Raises
    ------
    recommender.errors.RecommenderError
        For an unknown interest, place or terminal.
    routing.errors.RoutingError
        For a bad headway or service span, terminals off the drive network, or a line that cannot be routed.
    """
    categories = parse_interests(interests)
    for place_id in place_ids:
        city.catalogue.get(place_id)  # UnknownPlaceError with the catalogue's own message
    start_terminal = terminal(start, city) if start else None
    end_terminal = terminal(end, city) if end else None
    bundle = city.bundle
    wards = ward_origins(default_wards())
    line = design_line(
        bundle,
        city_sites(city),
        interests=categories,
        place_ids=tuple(place_ids),
        start=start_terminal,
        end=end_terminal,
        options=options,
        objective=objective,
        residents=wards,
    )
    evaluation = None
    residents = None
    if evaluate:
        evaluated = categories or PAIR_CATEGORIES
        evaluation = evaluate_line(bundle, line.schedule, categories=evaluated, place_ids=tuple(place_ids))
        wanted = set(evaluated) | set(place_ids)
        destinations = [p for p in bundle.places if wanted & {*p.get("categories", ()), str(p["id"])}]
        residents = resident_access(bundle, line.schedule, wards, destinations)
    return LineProposal(line=line, evaluation=evaluation, residents=residents)


def commune_coverage(
    city: City,
    router: CityRouter,
    stories: Mapping[str, Story],
    *,
    journeys: MutableMapping[str, Getting] | None = None,
) -> list[dict[str, Any]]:
    """Per ward and commune (issue 17): a verified story or not, and its signature place by bus from Hoàn Kiếm.

    The signature place is the story's first linked catalogue place; its journey is the router's own answer at
    09:00 (:func:`recommender.communes.access.getting_there`). ``journeys`` keeps the answers by place between
    calls (they depend on the bundle only, not on the stories); a place the router cannot reach has ``status``
    and ``message`` and no duration.
    """
    known = journeys if journeys is not None else {}
    rows: list[dict[str, Any]] = []
    for unit in communes(default_wards(), stories):
        linked = [p for p in (unit.story.place_ids if unit.story else ()) if p in city.catalogue]
        place = city.catalogue.get(linked[0]) if linked else None
        if place is not None and place.id not in known:
            try:
                known[place.id] = getting_there(router, city.catalogue, place.id)
            except RoutingError as exc:
                known[place.id] = Getting(place.id, "no_route", None, None, (), str(exc))
        rows.append(
            {
                "id": unit.ward.id,
                "name": unit.ward.name,
                "name_en": unit.ward.name_en,
                "kind": unit.ward.kind,
                "population": unit.ward.population,
                "status": unit.status,
                "verified_story": unit.status == "verified",
                "signature_place": None
                if place is None
                else {
                    "id": place.id,
                    "name": place.name_en,
                    "name_vi": place.name_vi,
                    "lat": place.lat,
                    "lon": place.lon,
                },
                "transit_from_hoan_kiem": None if place is None else known[place.id].to_dict(),
            }
        )
    return rows


__all__ = [
    "LineProposal",
    "city_sites",
    "commune_coverage",
    "line_map",
    "parse_interests",
    "propose_line",
    "ward_origins",
]


def line_map(proposal: LineProposal, city: City) -> folium.Map:
    """A folium map: the route of each direction, the stops (new ones in orange) and the sites served."""
    schedule = proposal.line.schedule
    points = [(stop.lat, stop.lon) for stop in schedule.stops]
    centre = (sum(p[0] for p in points) / len(points), sum(p[1] for p in points) / len(points))
    figure = folium.Map(location=centre, zoom_start=14, tiles=None, control_scale=True)
    folium.TileLayer("OpenStreetMap", attr=_ATTRIBUTION).add_to(figure)
    colours = ("#1565c0", "#c62828")
    for direction in schedule.directions:
        _folium.PolyLine(
            list(direction.shape),
            color=colours[direction.direction % 2],
            weight=5,
            opacity=0.8,
            tooltip=f"{schedule.name}, direction {direction.direction}",
        ).add_to(figure)
    order = {stop_id: i for i, stop_id in enumerate(dict.fromkeys(schedule.directions[0].stop_ids))}
    for stop in schedule.stops:
        label = f"{order.get(stop.stop_id, '')}. {stop.name}" + (" (new stop)" if stop.is_new else "")
        folium.CircleMarker(
            (stop.lat, stop.lon),
            radius=7,
            color="#e65100" if stop.is_new else "#1565c0",
            fill=True,
            fill_opacity=0.9,
            tooltip=html.escape(label),
        ).add_to(figure)
    served = proposal.evaluation.served if proposal.evaluation is not None else {}
    for place_id in served:
        place = city.catalogue.get(place_id)
        folium.CircleMarker(
            (place.lat, place.lon), radius=3, color="#2e7d32", fill=True, tooltip=html.escape(place.name_en)
        ).add_to(figure)
    metrics = proposal.line.metrics
    legend = (
        f"<div style='position:fixed;bottom:20px;left:20px;z-index:9999;background:white;padding:8px;"
        f"border:1px solid #999;font:13px sans-serif'><b>{html.escape(schedule.name)}</b><br>"
        f"round trip {metrics.round_trip_s / 60:.0f} min, {metrics.fleet_size} buses every "
        f"{schedule.headway_s / 60:g} min<br>{len(served)} places within 400 m of a stop</div>"
    )
    root: Any = figure.get_root()
    root.html.add_child(folium.Element(legend))
    south, west = min(p[0] for p in points), min(p[1] for p in points)
    north, east = max(p[0] for p in points), max(p[1] for p in points)
    figure.fit_bounds([[south, west], [north, east]])
    return figure
