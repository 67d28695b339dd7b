"""Operator line proposals and the network."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import ConfigDict, Field, StrictBool, StrictFloat, StrictInt

from api.schemas.common import ATTRIBUTION, InputModel, LineString, Position, ResponseModel
from api.schemas.communes import GettingThere


class OperatorLineRequest(InputModel):
    """What an operator asks for: a theme and/or places, terminals (or a loop), service hours and headway.

    An unknown field is a 422 naming it.
    """

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"interests": ["heritage", "ci_centre"], "headway_min": 15, "service_hours": "06:00-20:00"}]
        },
    )

    interests: list[str] = Field(
        default_factory=list, max_length=20, description="Categories the line serves, e.g. heritage, ci_centre."
    )
    place_ids: list[str] = Field(
        default_factory=list, max_length=40, description="Catalogue places the line must serve."
    )
    start: str | None = Field(
        default=None, max_length=200, description='Start terminal: a place id or name, or "lat,lon".'
    )
    end: str | None = Field(default=None, max_length=200, description="End terminal (makes a two-way line).")
    loop: StrictBool = Field(default=False, description="A loop (the default without an end terminal).")
    service_hours: str = Field(
        default="06:00-20:00", pattern=r"^\d{1,2}:\d{2}-\d{1,2}:\d{2}$", description="HH:MM-HH:MM, Hanoi time."
    )
    headway_min: StrictFloat = Field(default=15.0, gt=0, le=120, description="Minutes between buses (0 < h <= 120).")
    layover_min: StrictFloat = Field(default=5.0, ge=0, le=120, description="Layover at each terminal, minutes.")
    max_stops: StrictInt = Field(default=16, ge=2, le=40, description="Most candidate stops the search considers.")
    max_fleet: StrictInt | None = Field(default=None, ge=1, le=200, description="Most buses the line may use.")
    kind: Literal["any", "loop", "line"] = Field(
        default="any",
        description="Line shapes the search tries: loops, two-way lines, or both (any: the line returned is two-way, "
        "serving each pair of stops both ways; loops stay among the alternatives).",
    )
    objective: Literal["visitors", "residents"] = Field(
        default="visitors",
        description="visitors: site to site, weighted by popularity; residents: wards' populations to the sites.",
    )
    vnd_per_vehicle_km: StrictFloat = Field(
        default=12_000.0, ge=0, le=1e7, description="Operating cost per vehicle-km, VND (estimated default)."
    )
    vnd_per_vehicle_hour: StrictFloat = Field(
        default=220_000.0, ge=0, le=1e8, description="Operating cost per vehicle-hour, VND (estimated default)."
    )
    search_time_s: StrictFloat = Field(default=40.0, gt=0, le=120, description="Seconds the line search may take.")
    name: str = Field(default="Heritage line", min_length=1, max_length=100)
    line_id: str = Field(default="heritage", pattern=r"^[A-Za-z0-9_-]{1,32}$", description="GTFS route_id.")
    evaluate: StrictBool = Field(default=True, description="Measure heritage / CI door-to-door times before and after.")


class LineStop(ResponseModel):
    """A stop of the line, in order: an existing stop or a new one, and the catalogue sites it serves."""

    order: int
    stop_id: str
    name: str
    lat: float
    lon: float
    new: bool
    sites: list[str]
    walk_m: int = Field(0, description="Metres walked on from the stop to its sites (no usable road nearer).")


class LineDirection(ResponseModel):
    """One direction (a loop has one): its stops, length and run time."""

    direction: int
    stop_ids: list[str]
    length_km: float
    run_time_min: float


class StopWalk(ResponseModel):
    """A stop near a served site and the walk to it."""

    stop_id: str
    walk_m: float


class SiteServed(ResponseModel):
    """A catalogue site within walking distance of the line's stops."""

    place_id: str
    stops: list[StopWalk]


class EvaluationSummary(ResponseModel):
    """Door-to-door times between the catalogue places before and after the line, over the departures."""

    places: int
    pairs: int
    pairs_compared: int
    departures: list[str]
    mean_before_min: float
    mean_after_min: float
    median_before_min: float
    median_after_min: float
    mean_saving_min: float
    max_saving_min: float
    share_improved: float
    improved_means_saving_at_least_s: float
    median_saving_min: float | None = None
    touched_pairs: int = Field(0, description="Pairs whose two places are both within a walk of the line's stops.")
    touched_mean_saving_min: float | None = None
    touched_median_saving_min: float | None = None
    touched_share_improved: float | None = None


class SavingsHistogram(ResponseModel):
    """Pairs by minutes saved: bins between ``edges_min`` (and below the first, above the last)."""

    edges_min: list[float]
    all: list[int]
    touched: list[int]


class SiteEvaluation(ResponseModel):
    """How the line changes the times to and from one site."""

    place_id: str
    name: str
    served: bool
    mean_before_min: float
    mean_after_min: float
    mean_saving_min: float
    pairs_improved: int


class LineEvaluation(ResponseModel):
    """What the line changes: the summary, the sites that gain most, every site, and how long each step took."""

    summary: EvaluationSummary
    top_sites: list[SiteEvaluation]
    savings_histogram: SavingsHistogram | None = None
    per_site: list[SiteEvaluation]
    timings_s: dict[str, float]


class OperatingCost(ResponseModel):
    """Daily and yearly operating cost from unit costs (``unit_costs``: estimated, see docs/DATA.md)."""

    vnd_per_vehicle_km: float
    vnd_per_vehicle_hour: float
    vnd_per_day: int
    vnd_per_year: int
    unit_costs: str


class WalkedLeg(ResponseModel):
    """A stop whose sites lie off every road a bus can use: the last leg is walked."""

    stop_id: str
    name: str
    sites: list[str]
    walk_m: int


class SkippedSite(ResponseModel):
    """A themed site the line cannot serve, and why."""

    place_id: str
    reason: str


class Alternative(ResponseModel):
    """One line of the Pareto set: fewer buses or more benefit than any other scored line."""

    chosen: bool
    pareto: bool = Field(description="On the Pareto front; the chosen line (best benefit per vehicle-hour) may not be.")
    kind: Literal["loop", "line"]
    stops: list[str]
    sites: list[str]
    fleet_size: int
    round_trip_min: float
    vehicle_hours_per_day: float
    vehicle_km_per_day: float
    benefit_min: float
    touched_mean_saving_min: float
    benefit_per_vehicle_hour: float


class WardAccess(ResponseModel):
    """A ward's or commune's time to the nearest site of the theme, before and after the line."""

    ward_id: str
    name: str
    population: int
    population_estimated: bool
    nearest_site_before_min: float | None
    nearest_site_after_min: float | None
    saving_min: float
    mean_site_saving_min: float = Field(description="Mean minutes saved to the theme's sites.")
    gains_access_within_min: list[int]


class ResidentAccess(ResponseModel):
    """Residents gaining access to a site within 30/45/60 min, and the units ranked by access gained."""

    units: int
    units_off_network: list[str]
    population_estimated_units: int
    residents_gaining_access: dict[str, int]
    residents_within: dict[str, dict[str, int]]
    wards: list[WardAccess]
    method: str


class LineSearch(ResponseModel):
    """How the search found the line (docs/OPERATORS.md)."""

    objective: Literal["visitors", "residents"]
    candidate_stops: int
    lines_scored: int
    over_fleet_cap: int = Field(description="Candidates not scored: their fleet exceeds the cap.")
    time_s: float
    departures_per_score: int
    origins: int
    origins_off_network: list[str]
    best_benefit_min: float = Field(description="The chosen line's weighted mean minutes saved over all pairs.")
    best_benefit_per_vehicle_hour: float


class LineProposalModel(ResponseModel):
    """A designed line: stops, directions, round trip, fleet for the headway, vehicle-km, and what it changes."""

    line_id: str
    name: str
    kind: Literal["loop", "line"] = Field(description="A loop, or a line between two terminals run both ways.")
    headway_min: float
    service_hours: list[str] = Field(description="[first departure, last departure], HH:MM.")
    stops: list[LineStop]
    directions: list[LineDirection]
    round_trip_min: float
    layover_min_per_terminal: float
    dwell_s_per_stop: float
    fleet_size: int
    trips_per_day: int
    vehicle_km_per_day: float
    vehicle_hours_per_day: float
    operating_cost: OperatingCost | None = None
    walked_last_legs: list[WalkedLeg] = Field(default_factory=list)
    designed_for: list[str]
    skipped_sites: list[str]
    skipped_reasons: list[SkippedSite] = Field(default_factory=list)
    alternatives: list[Alternative] = Field(default_factory=list, description="The Pareto set (fleet vs benefit).")
    search: LineSearch | None = Field(None, description="How the line was found (none for a drawn line).")
    residents: ResidentAccess | None = None
    sites_served: list[SiteServed] | None = None
    sites_served_count: int | None = None
    evaluation: LineEvaluation | None = Field(None, description="Without ``evaluate: false``.")


class LineLinks(ResponseModel):
    """Where to read the line and download it."""

    self: str
    gtfs: str
    geojson: str


class OperatorLineResponse(ResponseModel):
    """A stored proposal: the line's summary (stops, round trip, fleet, vehicle-km) and what it changes."""

    id: str
    created_at: dt.datetime
    bundle: str
    request: OperatorLineRequest
    proposal: LineProposalModel
    links: LineLinks
    attribution: str = ATTRIBUTION


class NetworkPlace(ResponseModel):
    """A catalogue place on the operator map."""

    id: str
    name: str
    lat: float
    lon: float
    categories: list[str]


class OperatorNetworkResponse(ResponseModel):
    """The main roads of the drive graph as polylines, and the catalogue places, for drawing a map offline.

    ``roads`` holds one ``[class index, lon, lat, lon, lat, ...]`` array per road segment (5 decimals).
    """

    bundle: str
    bbox: list[float] = Field(min_length=4, max_length=4, description="west, south, east, north")
    classes: list[str]
    roads: list[list[float]]
    road_names: list[str] = Field(description="Street names; ``road_name_index[i]`` names ``roads[i]`` (-1: none).")
    road_name_index: list[int]
    places: list[NetworkPlace]
    attribution: str = ATTRIBUTION


class Point(ResponseModel):
    """A GeoJSON Point."""

    type: Literal["Point"]
    coordinates: Position = Field(description="[lon, lat]")


class LineRouteProperties(ResponseModel):
    """One direction of the line on the map."""

    kind: Literal["route"]
    line_id: str
    name: str
    direction: int
    length_m: float
    run_time_s: float
    headway_s: float


class LineStopProperties(ResponseModel):
    """A stop of the line on the map, with the sites within walking distance."""

    kind: Literal["stop"]
    stop_id: str
    name: str
    order: int | None
    new: bool
    sites: list[str]


class LineRouteFeature(ResponseModel):
    """A direction's road path."""

    type: Literal["Feature"]
    geometry: LineString
    properties: LineRouteProperties


class LineStopFeature(ResponseModel):
    """A stop."""

    type: Literal["Feature"]
    geometry: Point
    properties: LineStopProperties


class LineFeatureCollection(ResponseModel):
    """The line as GeoJSON (``[lon, lat]``): one LineString per direction, one Point per stop."""

    type: Literal["FeatureCollection"]
    features: list[LineRouteFeature | LineStopFeature]


class SignaturePlace(ResponseModel):
    """A unit's signature place: the first catalogue place its story links."""

    id: str
    name: str
    name_vi: str
    lat: float
    lon: float


class CommuneCoverage(ResponseModel):
    """One ward or commune: whether its story is verified, and its signature place by bus from Hoàn Kiếm."""

    id: str
    name: str
    name_en: str | None
    kind: Literal["ward", "commune"]
    population: int | None
    status: Literal["verified", "draft", "none yet"]
    verified_story: bool
    signature_place: SignaturePlace | None = Field(description="None when the unit has no story with a place.")
    transit_from_hoan_kiem: GettingThere | None = Field(
        description="The fastest bus (and metro) journey from Hoàn Kiếm Lake at 09:00; None without a place."
    )


class CommuneCoverageResponse(ResponseModel):
    """Story coverage of the 126 wards and communes for operators and researchers (issue 17, item 5)."""

    bundle: str
    units: list[CommuneCoverage]
    verified: int = Field(description="Units with a verified story.")
    reached: int = Field(description="Units whose signature place the router reaches from Hoàn Kiếm at 09:00.")
    attribution: str = ATTRIBUTION
