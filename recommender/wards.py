"""Hanoi's 126 wards and communes of 1 July 2025: their polygons, names and a point-in-polygon lookup.

The units come from ``data/admin/hanoi-wards-communes-2025.geojson`` (OpenStreetMap boundary relations, ODbL; see
``data/admin/PROVENANCE.md``). Each unit has a stable id, the slug of its Vietnamese name (``"Phường Hoàn Kiếm"`` gives
``phuong-hoan-kiem``, ``"Xã Bát Tràng"`` gives ``xa-bat-trang``), and carries its OSM relation id beside it.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any, Final, Literal

from shapely import STRtree
from shapely.geometry import Point, shape
from shapely.geometry.base import BaseGeometry

from recommender.errors import RecommenderError

__all__ = [
    "DEFAULT_WARDS_PATH",
    "UNIT_COUNT",
    "UnknownWardError",
    "Ward",
    "Wards",
    "WardsError",
    "default_wards",
    "load_wards",
    "ward_slug",
]

DEFAULT_WARDS_PATH: Final[Path] = (
    Path(__file__).resolve().parent.parent / "data" / "admin" / "hanoi-wards-communes-2025.geojson"
)
"""The shipped polygons of the 2025 units."""
UNIT_COUNT: Final[int] = 126
"""How many wards and communes Hanoi has since 1 July 2025."""


class WardsError(RecommenderError):
    """The ward and commune file is missing or invalid."""


class UnknownWardError(RecommenderError):
    """No ward or commune matches the text asked for.

    Attributes
    ----------
    text : str
        What was asked for.
    suggestions : tuple of str
        Ids of units whose names look alike (possibly empty).
    """

    def __init__(self, text: str, suggestions: tuple[str, ...] = ()) -> None:
        self.text = text
        self.suggestions = suggestions
        message = f"no ward or commune of Hanoi (2025) matches {text!r}"
        if suggestions:
            message += "; did you mean " + " or ".join(repr(s) for s in suggestions) + "?"
        super().__init__(message)


def _fold(text: str) -> str:
    text = text.replace("đ", "d").replace("Đ", "D")
    stripped = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    return re.sub(r"[\W_]+", " ", stripped.casefold()).strip()


def ward_slug(name: str) -> str:
    """The id of a unit from its Vietnamese name.

    ``"Phường Văn Miếu - Quốc Tử Giám"`` gives ``phuong-van-mieu-quoc-tu-giam``.
    """
    return _fold(name).replace(" ", "-")


@dataclass(frozen=True)
class Ward:
    """One ward (``phường``) or commune (``xã``)."""

    id: str
    name: str
    name_en: str | None
    kind: Literal["ward", "commune"]
    osm_relation: int
    population: int | None
    geometry: Mapping[str, Any] = field(repr=False, compare=False)

    @cached_property
    def polygon(self) -> BaseGeometry:
        """The unit's shape, built on first use (loading a bundle checks ward ids, not points)."""
        return shape(self.geometry)

    @property
    def short_name(self) -> str:
        """The name without ``Phường`` / ``Xã``: ``"Hoàn Kiếm"``."""
        return self.name.split(" ", 1)[1] if " " in self.name else self.name

    def contains(self, lat: float, lon: float) -> bool:
        """Whether the point lies inside the unit (its boundary counts as inside)."""
        return bool(self.polygon.covers(Point(lon, lat)))


class Wards:
    """The units, by id, with a spatial index for point lookups."""

    __slots__ = ("_by_id", "_by_text", "_tree", "path", "units")

    def __init__(self, units: tuple[Ward, ...], *, path: Path) -> None:
        self.units = units
        self.path = path
        self._by_id = {unit.id: unit for unit in units}
        self._tree: STRtree | None = None  # built on the first point lookup
        by_text: dict[str, Ward] = {}
        for unit in units:
            for key in (unit.id, _fold(unit.name), str(unit.osm_relation), _fold(unit.name_en or "")):
                if key:
                    by_text.setdefault(key, unit)
        self._by_text = by_text

    def __len__(self) -> int:
        return len(self.units)

    def __iter__(self) -> Iterator[Ward]:
        return iter(self.units)

    def __contains__(self, ward_id: object) -> bool:
        return ward_id in self._by_id

    def get(self, ward_id: str) -> Ward:
        """The unit with this id.

        Raises
        ------
        UnknownWardError
            If no unit has it.
        """
        unit = self._by_id.get(ward_id)
        if unit is None:
            raise UnknownWardError(ward_id, self._suggest(ward_id))
        return unit

    def find(self, text: str) -> Ward:
        """The unit named by an id, a name with or without accents or ``Phường``/``Xã``, or an OSM relation id.

        Raises
        ------
        UnknownWardError
            If none matches, or a bare name (``"Thanh Xuân"``) is shared by a ward and a commune.
        """
        folded = _fold(text)
        unit = self._by_id.get(text.strip()) or self._by_text.get(folded)
        if unit is not None:
            return unit
        short = [u for u in self.units if _fold(u.short_name) == folded]
        if len(short) == 1:
            return short[0]
        raise UnknownWardError(text, tuple(u.id for u in short) or self._suggest(text))

    def locate(self, lat: float, lon: float) -> Ward | None:
        """The unit whose polygon contains the point, or ``None`` outside Hanoi."""
        point = Point(lon, lat)
        if self._tree is None:
            self._tree = STRtree([unit.polygon for unit in self.units])
        hits = sorted(int(i) for i in self._tree.query(point, predicate="intersects"))
        for index in hits:
            if self.units[index].polygon.contains(point):
                return self.units[index]
        return self.units[hits[0]] if hits else None

    def _suggest(self, text: str) -> tuple[str, ...]:
        folded = _fold(text)
        if not folded:
            return ()
        return tuple(u.id for u in self.units if folded in _fold(u.name))[:3]


def _check_kind(kind: object) -> None:
    if kind not in {"ward", "commune"}:
        raise ValueError(f"kind {kind!r} is neither ward nor commune")


def _geometry(value: object) -> Mapping[str, Any]:
    if not isinstance(value, dict) or value.get("type") not in {"Polygon", "MultiPolygon"}:
        raise ValueError("the geometry is not a Polygon or MultiPolygon")
    return value


def load_wards(path: Path) -> Wards:
    """Read the unit polygons (GeoJSON FeatureCollection of Polygon/MultiPolygon features).

    Raises
    ------
    WardsError
        If the file is missing, is not GeoJSON, or a feature lacks a name, kind, relation id or geometry.
    """
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise WardsError(f"{path}: no such ward and commune file") from exc
    except (OSError, ValueError) as exc:
        raise WardsError(f"{path}: cannot read the ward and commune polygons ({exc})") from exc
    units: list[Ward] = []
    for number, feature in enumerate(data.get("features", []) if isinstance(data, dict) else [], start=1):
        try:
            props = feature["properties"]
            name = str(props["name"])
            kind = props["kind"]
            _check_kind(kind)
            population = props.get("population")
            units.append(
                Ward(
                    id=ward_slug(name),
                    name=name,
                    name_en=props.get("name:en"),
                    kind=kind,
                    osm_relation=int(props["osm_relation"]),
                    population=int(population) if population not in (None, "") else None,
                    geometry=_geometry(feature["geometry"]),
                )
            )
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise WardsError(f"{path}: feature {number} is not a valid ward or commune ({exc})") from exc
    if not units:
        raise WardsError(f"{path}: no ward or commune features")
    ids = [unit.id for unit in units]
    if len(set(ids)) != len(ids):
        raise WardsError(f"{path}: two units share the id {next(i for i in ids if ids.count(i) > 1)!r}")
    return Wards(tuple(units), path=path)


@lru_cache(maxsize=1)
def default_wards() -> Wards:
    """The shipped units (read once per process).

    Raises
    ------
    WardsError
        If the shipped file is missing or invalid.
    """
    return load_wards(DEFAULT_WARDS_PATH)
