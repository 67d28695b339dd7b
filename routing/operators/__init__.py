"""Tools for bus operators: design a line worth running through chosen sites, measure it, export it as GTFS.

Typical use (``bundle`` a :class:`~routing.bundle.load.CityBundle`, ``sites`` the catalogue as :class:`Site`)::

    line = design_line(bundle, sites, interests={"heritage", "ci_centre"}, options=DesignOptions(max_fleet=6))
    evaluation = evaluate_line(bundle, line.schedule)
    write_gtfs(line.schedule, Path("line.zip"))
"""

from routing.operators.design import (
    DesignedLine,
    DesignOptions,
    Site,
    Terminal,
    draft_line,
    operating_cost,
    plan_stops,
    select_sites,
)
from routing.operators.designer import Objective, design_line
from routing.operators.errors import LineDesignError
from routing.operators.evaluate import LineEvaluation, evaluate_line, served_sites
from routing.operators.geojson import line_geojson
from routing.operators.line import LineDirection, LineMetrics, LineSchedule, LineStop, fleet_size, line_metrics
from routing.operators.network import ExtendedNetwork, add_line, add_stops, extend_timetable, with_line
from routing.operators.ordering import nearest_neighbour_order, order_stops, quick_order
from routing.operators.scoring import LineScorer, Origin

__all__ = [
    "DesignOptions",
    "DesignedLine",
    "ExtendedNetwork",
    "LineDesignError",
    "LineDirection",
    "LineEvaluation",
    "LineMetrics",
    "LineSchedule",
    "LineScorer",
    "LineStop",
    "Objective",
    "Origin",
    "Site",
    "Terminal",
    "add_line",
    "add_stops",
    "design_line",
    "draft_line",
    "evaluate_line",
    "extend_timetable",
    "fleet_size",
    "line_geojson",
    "line_metrics",
    "nearest_neighbour_order",
    "operating_cost",
    "order_stops",
    "plan_stops",
    "quick_order",
    "select_sites",
    "served_sites",
    "with_line",
]
