"""Tools for bus operators: design a line through chosen sites, measure what it changes, export it as GTFS.

Typical use (``bundle`` a :class:`~routing.bundle.load.CityBundle`, ``sites`` the catalogue as :class:`Site`)::

    line = design_line(bundle.drive, bundle.bus, sites, interests={"heritage", "ci_centre"})
    evaluation = evaluate_line(bundle, line.schedule)
    write_gtfs(line.schedule, Path("line.zip"))
"""

from routing.operators.design import DesignedLine, DesignOptions, Site, Terminal, design_line, select_sites
from routing.operators.evaluate import LineEvaluation, evaluate_line, served_sites
from routing.operators.geojson import line_geojson
from routing.operators.line import LineDirection, LineMetrics, LineSchedule, LineStop, fleet_size, line_metrics
from routing.operators.network import ExtendedNetwork, add_line, extend_timetable
from routing.operators.ordering import order_stops

__all__ = [
    "DesignOptions",
    "DesignedLine",
    "ExtendedNetwork",
    "LineDirection",
    "LineEvaluation",
    "LineMetrics",
    "LineSchedule",
    "LineStop",
    "Site",
    "Terminal",
    "add_line",
    "design_line",
    "evaluate_line",
    "extend_timetable",
    "fleet_size",
    "line_geojson",
    "line_metrics",
    "order_stops",
    "select_sites",
    "served_sites",
]
