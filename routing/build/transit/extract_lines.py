"""Transit lines from the route relations of the build's OSM extract, the newest source, merged over the older ones.

The extract (``data/osm/hanoi-merged-2025.osm.pbf`` by default) holds route relations that the 2022 relations and
the 2018 feed lack or describe in an older form: VinBus E02, E07, E08, E09, CNG03, metro line 2A, route 90 from
Hào Nam, route 50 to Vân Canh. :func:`~routing.build.transit.service_hours.read_route_relations` reads them (one reader
for hours and stops); this module turns each relation's ordered stop members into a line.

Where a stop member's position comes from
-----------------------------------------
The extract is a merge of clipped caches: most relations list 20-50 platform nodes of which the extract holds one
or two. The same OSM node (same id) is in the OSM bus-stop layer (``osm-bus-stops``) or the 2022 relation stop list
(``osm-bus-relations-2022``) for nearly all the others, so a bus stop member takes its position and name from the
extract, else from the bus-stop layer, else from the 2022 list (``position_source`` per stop). A metro, light-rail
or train station takes its position **only** from the extract: no station is ever invented or borrowed.

Incomplete relations
--------------------
A relation whose stop members still lack a position fails the build (:class:`~routing.errors.InputDataError`
naming the relation and the node ids), unless ``osm-relation-gaps.tsv`` declares it known to be incomplete in the
extract (clipped at the extract's edge, stations not mapped as nodes): then it is built from the stops present and
its gaps are reported. A stop node the extract holds without a position always fails the build.

Newer wins
----------
A complete bus relation replaces the stops of the network route it describes (the route with its relation id, else
the same line's route in the same direction: told by where the stops stand, else by the terminals), keeping the
route id; a line the network lacks becomes a new route ``<ref>:osm<relation id>``. A relation declared incomplete
replaces nothing (the older, complete stop list stays; the relation still gives the hours and headway) and becomes
a new route only for a line the network lacks (metro 2A). Hours and headways of every route with a relation come
from its tags (``service_hours.py``); run times from the speed model on the new legs (``compile.py``).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from routing.build.transit.feed_io import parse_int, read_text
from routing.build.transit.matching import normalise_line_ref
from routing.build.transit.merge import DraftRoute
from routing.build.transit.osm_relations import OsmRelation, OsmStopPoint
from routing.build.transit.service_hours import RouteRelations
from routing.errors import InputDataError
from routing.geo import haversine_m
from routing.transit.model import DATASET_EXTRACT, RAIL_MODES, BusStop, JsonValue

GAPS_FILE = "osm-relation-gaps.tsv"
GAPS_COLUMNS = ("extract", "relation_id", "ref", "reason", "source")
EVERY_RELATION = "*"
"""``relation_id`` of a row that declares every relation of its extract incomplete (a small test extract)."""
MODE_OF_ROUTE_TYPE = {
    "bus": "bus",
    "trolleybus": "trolleybus",
    "subway": "metro",
    "light_rail": "metro",
    "train": "train",
}
EXTRACT_SEQUENCE = "osm_extract_members"
"""``stop_sequence_source`` of a route whose stops are an extract relation's members in member order."""
POSITION_SOURCES = ("extract", "osm-bus-stops", "osm-bus-relations-2022")
DIRECTION_NEAR_M = 50.0
DIRECTION_GAP_M = 40.0


@dataclass(frozen=True, slots=True)
class RelationGap:
    """A relation ``osm-relation-gaps.tsv`` declares incomplete in an extract, and why.

    ``relation_id`` is -1 for a row that declares every relation of its extract.
    """

    relation_id: int
    ref: str
    reason: str
    source: str


@dataclass(frozen=True, slots=True)
class ExtractLine:
    """One route relation of the extract as a line: its stops in member order, with positions and names.

    ``names`` holds the OSM ``name`` of each stop node ("" when no source names it); ``missing_node_ids`` the
    members no source places (only for a declared relation).
    """

    relation_id: int
    ref: str
    route_type: str
    name: str
    from_name: str
    to_name: str
    node_ids: tuple[int, ...]
    lat: tuple[float, ...]
    lon: tuple[float, ...]
    names: tuple[str, ...]
    position_sources: tuple[str, ...]
    missing_node_ids: tuple[int, ...]

    @property
    def mode(self) -> str:
        """``"bus"``, ``"trolleybus"``, ``"metro"`` or ``"train"``."""
        return MODE_OF_ROUTE_TYPE[self.route_type]

    @property
    def complete(self) -> bool:
        """True when every stop member has a position."""
        return not self.missing_node_ids

    @property
    def stop_ids(self) -> tuple[str, ...]:
        """Network stop ids (``osm:<node id>``) in member order."""
        return tuple(f"osm:{node}" for node in self.node_ids)


def read_relation_gaps(transit_dir: Path, extract_name: str) -> dict[int, RelationGap]:
    """The rows of ``osm-relation-gaps.tsv`` for the extract named ``extract_name`` (its file name), by relation id.

    The file is tab-separated with a header and ``#`` comment lines; empty result when it is absent. A row whose
    ``relation_id`` is :data:`EVERY_RELATION` declares every relation of its extract (key -1).

    Raises
    ------
    InputDataError
        If a row lacks a column, has a non-numeric relation id, an empty reason or source, or repeats a relation.
    """
    path = transit_dir / GAPS_FILE
    if not path.exists():
        return {}
    gaps: dict[int, RelationGap] = {}
    header: list[str] | None = None
    for row, line in enumerate(read_text(path).splitlines(), start=1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        values = [value.strip() for value in line.split("\t")]
        if header is None:
            missing = [name for name in GAPS_COLUMNS if name not in values]
            if missing:
                raise InputDataError(path, f"missing column(s) {', '.join(missing)} in header {values}", row=row)
            header = values
            continue
        if len(values) != len(header):
            raise InputDataError(path, f"{len(values)} tab-separated fields but the header has {len(header)}", row=row)
        record = dict(zip(header, values, strict=True))
        if record["relation_id"] == EVERY_RELATION:
            relation_id = -1
        else:
            relation_id = parse_int(path, row, "relation_id", record["relation_id"])
        if record["extract"] != extract_name:
            continue
        if not record["reason"] or not record["source"]:
            raise InputDataError(path, "empty reason or source", row=row)
        if relation_id in gaps:
            raise InputDataError(path, f"relation {relation_id} is declared twice", row=row)
        gaps[relation_id] = RelationGap(relation_id, record["ref"], record["reason"], record["source"])
    return gaps


def read_extract_lines(
    osm_path: Path,
    relations: RouteRelations,
    *,
    points: Sequence[OsmStopPoint],
    relations_2022: Sequence[OsmRelation],
    gaps: Mapping[int, RelationGap],
    gaps_path: Path,
) -> tuple[tuple[ExtractLine, ...], dict[str, JsonValue]]:
    """Lines of the extract's route relations with two or more placed stops, and a report.

    Raises
    ------
    InputDataError
        Naming ``osm_path`` and the relation: if a stop node of the extract has no position, or a relation not
        declared in ``gaps_path`` lists stop nodes that no source places (their ids are in the message).
    """
    layer = {point.node_id: point for point in points}
    known_2022: dict[int, tuple[float, float, str]] = {}
    for older in relations_2022:
        for node, name, lat, lon in zip(older.node_ids, older.names, older.lat, older.lon, strict=True):
            known_2022.setdefault(node, (lat, lon, name.strip()))
    lines: list[ExtractLine] = []
    skipped: list[JsonValue] = []
    incomplete: list[JsonValue] = []
    skipped_ids: set[int] = set()
    incomplete_ids: set[int] = set()
    by_source = dict.fromkeys(POSITION_SOURCES, 0)
    for relation in relations.routes:
        ref = relation.ref
        unplaced = [node for node in relation.stop_node_ids if node in relations.nodes_without_location]
        if unplaced:
            raise InputDataError(
                osm_path,
                f"route relation {relation.relation_id} (ref {ref or '?'}): stop node(s) "
                f"{', '.join(map(str, unplaced))} have no coordinates",
            )
        rail = MODE_OF_ROUTE_TYPE[relation.route_type] in RAIL_MODES
        kept: list[tuple[int, float, float, str, str]] = []
        missing: list[int] = []
        for node in relation.stop_node_ids:
            if node in relations.nodes:
                stop = relations.nodes[node]
                fallback = layer[node].name if node in layer else known_2022.get(node, (0.0, 0.0, ""))[2]
                kept.append((node, stop.lat, stop.lon, stop.name or ("" if rail else fallback), "extract"))
            elif not rail and node in layer:
                kept.append((node, layer[node].lat, layer[node].lon, layer[node].name, "osm-bus-stops"))
            elif not rail and node in known_2022:
                lat, lon, name = known_2022[node]
                kept.append((node, lat, lon, name, "osm-bus-relations-2022"))
            else:
                missing.append(node)
        if len(relation.stop_node_ids) < 2:
            skipped.append({"relation": relation.relation_id, "ref": ref, "reason": "fewer than 2 stop members"})
            skipped_ids.add(relation.relation_id)
            continue
        declared = gaps.get(relation.relation_id) or gaps.get(-1)
        if missing and declared is None:
            raise InputDataError(
                osm_path,
                f"route relation {relation.relation_id} (ref {ref or '?'}) lists {len(missing)} stop node(s) that "
                f"neither the extract nor the stop layers hold: {', '.join(map(str, missing))}; declare the relation "
                f"in {gaps_path} if the extract is known to be clipped there",
            )
        if missing and declared is not None:
            gap = declared
            incomplete_ids.add(relation.relation_id)
            incomplete.append(
                {
                    "relation": relation.relation_id,
                    "ref": ref,
                    "stop_members": len(relation.stop_node_ids),
                    "stops_present": len(kept),
                    "missing_node_ids": list(missing),
                    "reason": gap.reason,
                }
            )
        sequence: list[tuple[int, float, float, str, str]] = []
        for item in kept:
            if not sequence or sequence[-1][0] != item[0]:
                sequence.append(item)
        if len(sequence) < 2:
            skipped.append({"relation": relation.relation_id, "ref": ref, "reason": "fewer than 2 stops placed"})
            skipped_ids.add(relation.relation_id)
            continue
        for item in sequence:
            by_source[item[4]] += 1
        lines.append(
            ExtractLine(
                relation_id=relation.relation_id,
                ref=ref,
                route_type=relation.route_type,
                name=relation.tags.get("name", "").strip(),
                from_name=relation.tags.get("from", "").strip(),
                to_name=relation.tags.get("to", "").strip(),
                node_ids=tuple(item[0] for item in sequence),
                lat=tuple(item[1] for item in sequence),
                lon=tuple(item[2] for item in sequence),
                names=tuple(item[3] for item in sequence),
                position_sources=tuple(item[4] for item in sequence),
                missing_node_ids=tuple(missing),
            )
        )
    used = {line.relation_id for line in lines} | skipped_ids
    in_extract = {relation.relation_id for relation in relations.routes}
    modes = sorted(set(MODE_OF_ROUTE_TYPE.values()))
    report: dict[str, JsonValue] = {
        "relations_read": len(relations.routes),
        "lines": len(lines),
        "lines_by_mode": {mode: sum(1 for line in lines if line.mode == mode) for mode in modes},
        "stop_positions_by_source": dict(by_source),
        "skipped": skipped,
        "incomplete_declared": incomplete,
        "declared_but_complete": [rid for rid in sorted(gaps) if rid in used and rid not in incomplete_ids],
        "declared_not_in_extract": [rid for rid in sorted(gaps) if rid not in in_extract and rid != -1],
    }
    return tuple(lines), report


def _median_nearest_m(lat: Sequence[float], lon: Sequence[float], stops: Sequence[BusStop]) -> float:
    if not lat or not stops:
        return math.inf
    distance = haversine_m(
        np.asarray(lat)[:, None],
        np.asarray(lon)[:, None],
        np.asarray([stop.lat for stop in stops])[None, :],
        np.asarray([stop.lon for stop in stops])[None, :],
    )
    return float(np.median(np.min(distance, axis=1)))


def _terminal_m(line: ExtractLine, first: BusStop, last: BusStop) -> float:
    start = haversine_m(line.lat[0], line.lon[0], first.lat, first.lon)
    end = haversine_m(line.lat[-1], line.lon[-1], last.lat, last.lon)
    return float(start) + float(end)


def _pick_direction(line: ExtractLine, candidates: Sequence[DraftRoute], stops: Mapping[str, BusStop]) -> DraftRoute:
    """The candidate route (same line) running the way ``line`` runs: by stop sides, else by its terminals."""
    if len(candidates) == 1:
        return candidates[0]
    nearest = [_median_nearest_m(line.lat, line.lon, [stops[s] for s in draft.stop_ids]) for draft in candidates]
    order = np.argsort(nearest, kind="stable")
    if nearest[order[0]] <= DIRECTION_NEAR_M and nearest[order[1]] - nearest[order[0]] >= DIRECTION_GAP_M:
        return candidates[int(order[0])]
    ends = [_terminal_m(line, stops[draft.stop_ids[0]], stops[draft.stop_ids[-1]]) for draft in candidates]
    return candidates[int(np.argmin(ends))]


def merge_extract_lines(
    drafts: Sequence[DraftRoute],
    stops: Sequence[BusStop],
    lines: Sequence[ExtractLine],
    *,
    default_headways: Mapping[str, float | None],
) -> tuple[tuple[DraftRoute, ...], tuple[BusStop, ...], dict[str, JsonValue]]:
    """The routes with the extract's lines merged in (newer wins, see the module docstring), the stops they use.

    Returns
    -------
    drafts, stops, report
        Stops no route uses any more are left out; new stops have ``source="osm-extract"`` and ``name`` ""
        when no source names them (named later, ``name_source="derived"``).
    """
    stop_by_id = {stop.stop_id: stop for stop in stops}
    for line in lines:
        for stop_id, lat, lon, name in zip(line.stop_ids, line.lat, line.lon, line.names, strict=True):
            known = stop_by_id.get(stop_id)
            if known is None:
                stop_by_id[stop_id] = BusStop(stop_id, name, lat, lon, DATASET_EXTRACT, "osm" if name else "derived")
            elif name and not known.name:
                stop_by_id[stop_id] = replace(known, name=name, name_source="osm")
    result = list(drafts)
    replaced: set[int] = set()
    superseded: list[JsonValue] = []
    added: list[JsonValue] = []
    kept_older: list[JsonValue] = []
    new_per_line: dict[str, int] = {}
    for line in sorted(lines, key=lambda item: item.relation_id):
        key = normalise_line_ref(line.ref)
        same_line = [i for i, d in enumerate(result) if normalise_line_ref(d.ref) == key and i not in replaced]
        same_line = [i for i in same_line if result[i].mode == line.mode]
        exact = next((i for i in same_line if result[i].osm_relation_id == line.relation_id), None)
        if same_line and not line.complete:
            kept_older.append({"relation": line.relation_id, "ref": line.ref, "why": "incomplete in the extract"})
            continue
        if same_line:
            index = (
                exact
                if exact is not None
                else result.index(_pick_direction(line, [result[i] for i in same_line], stop_by_id))
            )
            old = result[index]
            result[index] = replace(
                old,
                stop_ids=line.stop_ids,
                source=DATASET_EXTRACT,
                stop_sequence_source=EXTRACT_SEQUENCE,
                osm_relation_id=line.relation_id,
            )
            replaced.add(index)
            superseded.append(
                {
                    "relation": line.relation_id,
                    "route_id": old.route_id,
                    "stops_before": len(old.stop_ids),
                    "stops_after": len(line.stop_ids),
                    "older_stops_from": old.stop_sequence_source,
                }
            )
            continue
        new_per_line[key] = new_per_line.get(key, 0) + 1
        result.append(
            DraftRoute(
                route_id=f"{line.ref}:osm{line.relation_id}",
                ref=line.ref,
                direction=new_per_line[key],
                source=DATASET_EXTRACT,
                stop_ids=line.stop_ids,
                headway_s=dict(default_headways),
                headway_source="default",
                stop_sequence_source=EXTRACT_SEQUENCE,
                gtfs_route_id=None,
                osm_relation_id=line.relation_id,
                mode=line.mode,
            )
        )
        replaced.add(len(result) - 1)
        added.append({"relation": line.relation_id, "route_id": result[-1].route_id, "mode": line.mode})
    used = {stop_id for draft in result for stop_id in draft.stop_ids}
    kept_stops = tuple(stop_by_id[stop_id] for stop_id in sorted(stop_by_id) if stop_id in used)
    report: dict[str, JsonValue] = {
        "routes_superseded": superseded,
        "routes_added": added,
        "older_stops_kept": kept_older,
        "stops_added": sum(1 for stop in kept_stops if stop.source == DATASET_EXTRACT),
        "stops_no_longer_used": len(stop_by_id) - len(kept_stops),
    }
    return tuple(result), kept_stops, report
