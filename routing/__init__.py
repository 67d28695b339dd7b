"""Walking and bus routing for the city bundle: the names ``api/``, ``recommender/`` and ``cli/`` may use.

Everything else in :mod:`routing` is internal. Build-time code (reading OSM and transit, contracting, writing the
bundle) lives in :mod:`routing.build`; serve-time code in :mod:`routing.streets` (where a point meets the street),
:mod:`routing.walk`, :mod:`routing.transit`, :mod:`routing.journeys` and :mod:`routing.bundle` (reading it).

Names are imported on first use (PEP 562), so ``from routing import RoutingError`` does not load numba kernels.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from routing.build.bundle import BuildOptions, BuildSpec, PlaceInput, ProgressFn, build_bundle, bundle_name
    from routing.build.transit.service_hours import TagParseError
    from routing.bundle.load import CityBundle, load_bundle
    from routing.bundle.npz import NpzRecord, read_npz, save_npz
    from routing.city_router import CityRouter
    from routing.clock import (
        CITY_TZ,
        DAY_S,
        DEPART_PATTERN,
        SPAN_PATTERN,
        ClockError,
        format_clock,
        parse_clock,
        parse_span,
    )
    from routing.compiled import jit
    from routing.errors import (
        BundleError,
        InputDataError,
        NoRouteError,
        NoServiceError,
        OutsideAreaError,
        RoutingError,
        TooFarFromStreetError,
    )
    from routing.geo import EARTH_RADIUS_M, BBox, haversine_m, parse_point
    from routing.graph.frozen import FrozenGraph
    from routing.journeys import BusPlan
    from routing.journeys.access import RouteAnswer
    from routing.journeys.isochrone import isochrone
    from routing.operators import (
        DesignedLine,
        DesignOptions,
        LineDesignError,
        LineEvaluation,
        Objective,
        Origin,
        Site,
        Terminal,
        design_line,
        evaluate_line,
        line_geojson,
    )
    from routing.operators.evaluate import PAIR_CATEGORIES
    from routing.operators.gtfs import gtfs_tables, read_gtfs_line, write_atomically
    from routing.operators.isochrones import line_isochrones
    from routing.operators.residents import resident_access

_HOMES: dict[str, tuple[str, ...]] = {
    "routing.build.bundle": ("BuildOptions", "BuildSpec", "PlaceInput", "ProgressFn", "build_bundle", "bundle_name"),
    "routing.build.transit.service_hours": ("TagParseError",),
    "routing.bundle.load": ("CityBundle", "load_bundle"),
    "routing.bundle.npz": ("NpzRecord", "read_npz", "save_npz"),
    "routing.city_router": ("CityRouter",),
    "routing.clock": (
        "CITY_TZ",
        "DAY_S",
        "DEPART_PATTERN",
        "SPAN_PATTERN",
        "ClockError",
        "format_clock",
        "parse_clock",
        "parse_span",
    ),
    "routing.compiled": ("jit",),
    "routing.errors": (
        "BundleError",
        "InputDataError",
        "NoRouteError",
        "NoServiceError",
        "OutsideAreaError",
        "RoutingError",
        "TooFarFromStreetError",
    ),
    "routing.geo": ("EARTH_RADIUS_M", "BBox", "haversine_m", "parse_point"),
    "routing.graph.frozen": ("FrozenGraph",),
    "routing.journeys": ("BusPlan",),
    "routing.journeys.access": ("RouteAnswer",),
    "routing.journeys.isochrone": ("isochrone",),
    "routing.operators": (
        "DesignOptions",
        "DesignedLine",
        "LineDesignError",
        "LineEvaluation",
        "Objective",
        "Origin",
        "Site",
        "Terminal",
        "design_line",
        "evaluate_line",
        "line_geojson",
    ),
    "routing.operators.evaluate": ("PAIR_CATEGORIES",),
    "routing.operators.gtfs": ("gtfs_tables", "read_gtfs_line", "write_atomically"),
    "routing.operators.isochrones": ("line_isochrones",),
    "routing.operators.residents": ("resident_access",),
}
_MODULE_OF = {name: module for module, names in _HOMES.items() for name in names}

__all__ = [
    "CITY_TZ",
    "DAY_S",
    "DEPART_PATTERN",
    "EARTH_RADIUS_M",
    "PAIR_CATEGORIES",
    "SPAN_PATTERN",
    "BBox",
    "BuildOptions",
    "BuildSpec",
    "BundleError",
    "BusPlan",
    "CityBundle",
    "CityRouter",
    "ClockError",
    "DesignOptions",
    "DesignedLine",
    "FrozenGraph",
    "InputDataError",
    "LineDesignError",
    "LineEvaluation",
    "NoRouteError",
    "NoServiceError",
    "NpzRecord",
    "Objective",
    "Origin",
    "OutsideAreaError",
    "PlaceInput",
    "ProgressFn",
    "RouteAnswer",
    "RoutingError",
    "Site",
    "TagParseError",
    "Terminal",
    "TooFarFromStreetError",
    "build_bundle",
    "bundle_name",
    "design_line",
    "evaluate_line",
    "format_clock",
    "gtfs_tables",
    "haversine_m",
    "isochrone",
    "jit",
    "line_geojson",
    "line_isochrones",
    "load_bundle",
    "parse_clock",
    "parse_point",
    "parse_span",
    "read_gtfs_line",
    "read_npz",
    "resident_access",
    "save_npz",
    "write_atomically",
]


def __getattr__(name: str) -> Any:
    """Import an exported name from its module the first time it is asked for."""
    module = _MODULE_OF.get(name)
    if module is None:
        raise AttributeError(f"module 'routing' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value
