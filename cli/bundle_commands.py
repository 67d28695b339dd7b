"""``heritage build`` and ``heritage info``."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from api.city import current_spec, open_city
from api.settings import get_settings
from cli.console import err_console, print_json, stage_progress
from cli.errors import domain_errors
from recommender.city import City, build_city


def build(
    osm: Annotated[
        Path | None,
        typer.Option(help="OSM extract (.osm.pbf or .osm); default: the .osm.pbf in data/osm/.", show_default=False),
    ] = None,
    out: Annotated[
        Path | None, typer.Option(help="Directory that holds bundles; default: bundles/ (HERITAGE_BUNDLE_DIR).")
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="Rebuild even if the bundle for these inputs exists.")] = False,
    json_output: Annotated[bool, typer.Option("--json", help="Print the bundle summary as JSON.")] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar.")] = False,
) -> None:
    """Compile the city bundle: walk and drive graphs, bus network, places snapped to the streets.

    The bundle directory is named by a hash of every input and of the builder version; it is written
    atomically, so an interrupted or failed build leaves nothing behind. An existing bundle for the same
    inputs is reused unless --force.
    """
    settings = get_settings()
    out_dir = out or settings.bundle_dir
    with domain_errors():
        spec = current_spec(settings, osm_path=osm)
        with stage_progress(enabled=not quiet and not json_output) as progress:
            path = build_city(spec, out_dir, force=force, on_progress=progress)
        city = open_city(path, settings)
    summary = bundle_summary(city)
    if json_output:
        print_json(summary)
    else:
        _print_summary(summary)


def info(
    bundle: Annotated[
        Path | None, typer.Option(help="A bundle directory; default: the bundle built from the current inputs.")
    ] = None,
    json_output: Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")] = False,
) -> None:
    """Summarise a bundle: graph sizes, bus routes and stops, places by category, bbox, input hashes."""
    with domain_errors():
        city = open_city(bundle)
    summary = bundle_summary(city)
    if json_output:
        print_json(summary)
    else:
        _print_summary(summary)


def bundle_summary(city: City) -> dict[str, Any]:
    """The figures ``heritage info --json`` reports."""
    manifest = city.bundle.manifest
    categories: Counter[str] = Counter()
    for place in city.catalogue.places:
        categories.update(str(category) for category in place.categories)
    return {
        "name": manifest.name,
        "path": str(city.bundle.path),
        "format": manifest.format,
        "builder_version": manifest.builder_version,
        "created_at": manifest.created_at,
        "bbox": list(manifest.bbox),
        "walk_graph": manifest.summary["walk_graph"],
        "drive_graph": manifest.summary["drive_graph"],
        "bus": manifest.summary["bus"],
        "transit": _transit_counts(manifest.summary["bus"]),
        "stops": manifest.summary["stops"],
        "places": {**manifest.summary["places"], "by_category": dict(sorted(categories.items()))},
        "options": manifest.options,
        "input_hash": manifest.input_hash,
        "inputs": [item.model_dump() for item in manifest.inputs],
    }


def _transit_counts(bus: dict[str, Any]) -> dict[str, Any]:
    """Counts per source and per mode (routes, lines, the source of each route field, stop names)."""
    extract = bus.get("extract_lines") or {}
    return {
        "routes_by_mode": bus.get("routes_by_mode", {}),
        "lines_by_mode": bus.get("lines_by_mode", {}),
        "routes_by_source": bus.get("routes_by_source", {}),
        "stops_by_source": bus.get("stops_by_source", {}),
        "route_fields_by_source": bus.get("route_fields_by_source", {}),
        "stops_by_name_source": bus.get("stops_by_name_source", {}),
        "extract_relations_incomplete": [item.get("relation") for item in extract.get("incomplete_declared", [])],
    }


def _print_summary(summary: dict[str, Any]) -> None:
    table = Table(title=f"City bundle {summary['name']}", show_header=False)
    walk, drive, bus = summary["walk_graph"], summary["drive_graph"], summary["bus"]
    table.add_row("path", summary["path"])
    table.add_row(
        "walk graph",
        f"{walk['nodes']:,} nodes, {walk['edges']:,} edges, {walk['length_km']:,} km, "
        f"{walk['largest_component_share']:.1%} in the largest component",
    )
    table.add_row("drive graph", f"{drive['nodes']:,} nodes, {drive['edges']:,} edges, {drive['length_km']:,} km")
    scalars = {key: value for key, value in bus.items() if not isinstance(value, dict | list)}
    table.add_row("bus", ", ".join(f"{key} {value}" for key, value in scalars.items()))
    transit = summary["transit"]
    table.add_row("routes by mode", ", ".join(f"{k} {v}" for k, v in transit["routes_by_mode"].items()))
    table.add_row("routes by source", ", ".join(f"{k} {v}" for k, v in transit["routes_by_source"].items()))
    hours = bus.get("service_hours") or {}
    table.add_row(
        "bus hours from",
        ", ".join(f"{key} {value}" for key, value in bus.get("routes_by_hours_source", {}).items())
        + (f"; departures {hours['first_departure']}-{hours['last_departure']}" if hours.get("last_departure") else ""),
    )
    stops, places = summary["stops"], summary["places"]
    table.add_row("stops", f"{stops['count']:,} ({stops['off_network']:,} off the walk network)")
    table.add_row(
        "places",
        f"{places['count']:,} ({places['off_network']:,} off the walk network, "
        f"{places['off_network_reachable_by_bus']:,} of them reachable by bus)",
    )
    table.add_row("by category", ", ".join(f"{k} {v}" for k, v in places["by_category"].items()))
    table.add_row("bbox (S, W, N, E)", ", ".join(f"{v:.5f}" for v in summary["bbox"]))
    err_console.print(table)
