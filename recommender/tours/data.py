"""Read one city of the cikm16 tour data (``poi-<city>.csv`` and ``traj-<city>.csv``).

POIs are renumbered ``0 .. n_pois - 1`` in the order of the POI file; the original ``poiID`` is kept in
:attr:`TourCity.poi_ids`. A trajectory's visits are sorted by ``startTime`` with a stable sort (ties keep file order),
as the evaluation protocol requires.
"""

from __future__ import annotations

import csv
import math
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

from recommender.tours.errors import TourDataError

CITY_CODES: tuple[str, ...] = ("Glas", "Melb", "Osak", "Toro")
"""The four cities, by the code of their file names."""

CITY_NAMES: dict[str, str] = {"Glas": "Glasgow", "Melb": "Melbourne", "Osak": "Osaka", "Toro": "Toronto"}

_POI_COLUMNS = ("poiID", "poiCat", "poiLon", "poiLat")
_TRAJ_COLUMNS = ("userID", "trajID", "poiID", "startTime", "endTime")


@dataclass(frozen=True, slots=True)
class Trajectory:
    """One trajectory: the POIs visited in order (internal indices) and how long each visit lasted."""

    traj_id: int
    user_id: str
    pois: tuple[int, ...]
    durations_s: tuple[float, ...]


@dataclass(frozen=True, slots=True)
class TourCity:
    """The POIs and trajectories of one city."""

    code: str
    poi_ids: tuple[int, ...]
    categories: tuple[str, ...]
    category_of_poi: npt.NDArray[np.int64]
    lat: npt.NDArray[np.float64]
    lon: npt.NDArray[np.float64]
    trajectories: tuple[Trajectory, ...]

    @property
    def name(self) -> str:
        """The city's full name (``Toronto`` for ``Toro``)."""
        return CITY_NAMES.get(self.code, self.code)

    @property
    def n_pois(self) -> int:
        """The number of POIs."""
        return len(self.poi_ids)

    def distance_km(self) -> npt.NDArray[np.float64]:
        """The great-circle distance between every two POIs, km (an ``n_pois x n_pois`` matrix)."""
        lat = np.radians(self.lat)
        lon = np.radians(self.lon)
        dlat = lat[:, None] - lat[None, :]
        dlon = lon[:, None] - lon[None, :]
        h = np.sin(dlat / 2) ** 2 + np.cos(lat[:, None]) * np.cos(lat[None, :]) * np.sin(dlon / 2) ** 2
        distance: npt.NDArray[np.float64] = 2 * 6371.0088 * np.arcsin(np.sqrt(np.clip(h, 0.0, 1.0)))
        return distance


def resolve_city(city: str) -> str:
    """The file code of a city given by code or name, case-insensitive (``toronto`` -> ``Toro``).

    Raises
    ------
    TourDataError
        If the city is none of the four.
    """
    wanted = city.strip().lower()
    for code, name in CITY_NAMES.items():
        if wanted in {code.lower(), name.lower()}:
            return code
    known = ", ".join(f"{code} ({name})" for code, name in CITY_NAMES.items())
    raise TourDataError(f"unknown city {city!r}; known: {known}")


def load_city(data_dir: Path | str, city: str) -> TourCity:
    """Read ``poi-<city>.csv`` and ``traj-<city>.csv`` from ``data_dir``.

    Parameters
    ----------
    data_dir
        The folder holding the cikm16 CSV files.
    city
        A city code or name (see :func:`resolve_city`).

    Returns
    -------
    TourCity
        POIs and trajectories, visits of each trajectory in stable ``startTime`` order.

    Raises
    ------
    TourDataError
        If the folder or a file is missing or unreadable, a column is missing, a value does not parse, a trajectory
        names an unknown POI or visits one POI twice, or a file has no rows. The message names the file and line.
    """
    code = resolve_city(city)
    folder = Path(data_dir)
    if not folder.is_dir():
        raise TourDataError(f"{folder}: no such data folder")
    poi_ids, categories, category_of_poi, lat, lon = _read_pois(folder / f"poi-{code}.csv")
    index_of = {poi_id: index for index, poi_id in enumerate(poi_ids)}
    trajectories = _read_trajectories(folder / f"traj-{code}.csv", index_of)
    return TourCity(
        code=code,
        poi_ids=tuple(poi_ids),
        categories=tuple(categories),
        category_of_poi=np.asarray(category_of_poi, dtype=np.int64),
        lat=np.asarray(lat, dtype=np.float64),
        lon=np.asarray(lon, dtype=np.float64),
        trajectories=tuple(trajectories),
    )


def _rows(path: Path, columns: tuple[str, ...]) -> Iterator[tuple[int, dict[str, str]]]:
    if not path.is_file():
        raise TourDataError(f"{path}: no such file")
    try:
        with path.open(newline="", encoding="utf-8") as handle:
            reader = csv.DictReader(handle)
            header = reader.fieldnames or []
            missing = [column for column in columns if column not in header]
            if missing:
                raise TourDataError(f"{path}: missing column(s) {', '.join(missing)} (header: {','.join(header)})")
            count = 0
            for row in reader:
                count += 1
                if any(row.get(column) in {None, ""} for column in columns):
                    raise TourDataError(f"{path}:{reader.line_num}: missing value in {row}")
                yield reader.line_num, row
            if count == 0:
                raise TourDataError(f"{path}: no rows")
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise TourDataError(f"{path}: cannot read: {exc}") from exc


def _read_pois(
    path: Path,
) -> tuple[list[int], list[str], list[int], list[float], list[float]]:
    poi_ids: list[int] = []
    categories: list[str] = []
    category_of_poi: list[int] = []
    lat: list[float] = []
    lon: list[float] = []
    for line, row in _rows(path, _POI_COLUMNS):
        try:
            poi_id = int(row["poiID"])
            poi_lat = float(row["poiLat"])
            poi_lon = float(row["poiLon"])
        except ValueError as exc:
            raise TourDataError(f"{path}:{line}: {exc}") from exc
        if not (math.isfinite(poi_lat) and math.isfinite(poi_lon) and -90 <= poi_lat <= 90 and -180 <= poi_lon <= 180):
            raise TourDataError(f"{path}:{line}: coordinates out of range ({poi_lat}, {poi_lon})")
        if poi_id in poi_ids:
            raise TourDataError(f"{path}:{line}: poiID {poi_id} appears twice")
        category = row["poiCat"].strip()
        if category not in categories:
            categories.append(category)
        poi_ids.append(poi_id)
        category_of_poi.append(categories.index(category))
        lat.append(poi_lat)
        lon.append(poi_lon)
    return poi_ids, categories, category_of_poi, lat, lon


def _read_trajectories(path: Path, index_of: dict[int, int]) -> list[Trajectory]:
    visits: dict[int, list[tuple[int, int, int]]] = {}
    users: dict[int, str] = {}
    for line, row in _rows(path, _TRAJ_COLUMNS):
        try:
            traj_id = int(row["trajID"])
            poi_id = int(row["poiID"])
            start_time = int(row["startTime"])
            end_time = int(row["endTime"])
        except ValueError as exc:
            raise TourDataError(f"{path}:{line}: {exc}") from exc
        if poi_id not in index_of:
            raise TourDataError(f"{path}:{line}: poiID {poi_id} is not in the POI file")
        if end_time < start_time:
            raise TourDataError(f"{path}:{line}: endTime {end_time} before startTime {start_time}")
        user = row["userID"]
        if users.setdefault(traj_id, user) != user:
            raise TourDataError(f"{path}:{line}: trajID {traj_id} belongs to two users")
        visits.setdefault(traj_id, []).append((start_time, end_time, index_of[poi_id]))
    trajectories: list[Trajectory] = []
    for traj_id, rows in visits.items():
        ordered = sorted(rows, key=lambda visit: visit[0])  # stable: ties keep file order
        pois = tuple(poi for _, _, poi in ordered)
        if len(set(pois)) != len(pois):
            raise TourDataError(f"{path}: trajID {traj_id} visits a POI twice")
        durations = tuple(float(end - start) for start, end, _ in ordered)
        trajectories.append(Trajectory(traj_id=traj_id, user_id=users[traj_id], pois=pois, durations_s=durations))
    return trajectories
