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
from routing import haversine_m

CITY_NAMES: dict[str, str] = {
    "Buda": "Budapest",
    "Delh": "Delhi",
    "Edin": "Edinburgh",
    "Glas": "Glasgow",
    "Melb": "Melbourne",
    "Osak": "Osaka",
    "Pert": "Perth",
    "Toro": "Toronto",
    "Vien": "Vienna",
}
"""Full names of the Flickr cities' file codes (Lim et al. 2015, Chen et al. 2016), for display and for ``--city``.

Only names: a city is any ``X`` whose ``poi-X.csv`` and ``traj-X.csv`` are in the data folder, listed here or not.
"""

_POI_PREFIX, _TRAJ_PREFIX, _SUFFIX = "poi-", "traj-", ".csv"
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
        """The city's full name when :data:`CITY_NAMES` knows it (``Toronto`` for ``Toro``), else its code."""
        return CITY_NAMES.get(self.code, self.code)

    @property
    def n_pois(self) -> int:
        """The number of POIs."""
        return len(self.poi_ids)

    def distance_km(self) -> npt.NDArray[np.float64]:
        """The great-circle distance between every two POIs, km (an ``n_pois x n_pois`` matrix)."""
        lat = np.asarray(self.lat, dtype=np.float64)
        lon = np.asarray(self.lon, dtype=np.float64)
        return haversine_m(lat[:, None], lon[:, None], lat[None, :], lon[None, :]) / 1000.0


def city_files(data_dir: Path | str, code: str) -> tuple[Path, Path]:
    """The POI file and the trajectory file of a city code in a folder (whether they exist or not)."""
    folder = Path(data_dir)
    return folder / f"{_POI_PREFIX}{code}{_SUFFIX}", folder / f"{_TRAJ_PREFIX}{code}{_SUFFIX}"


def discover_cities(data_dir: Path | str) -> tuple[str, ...]:
    """Every city code ``X`` with both ``poi-X.csv`` and ``traj-X.csv`` in the folder, sorted.

    Raises
    ------
    TourDataError
        If the folder does not exist or cannot be listed.
    """
    poi_codes, traj_codes = _file_codes(data_dir)
    return tuple(sorted(poi_codes & traj_codes))


def unpaired_files(data_dir: Path | str) -> tuple[str, ...]:
    """The names of the ``poi-X.csv`` files without their ``traj-X.csv`` and the other way round, sorted.

    Raises :class:`TourDataError` as :func:`discover_cities` does.
    """
    poi_codes, traj_codes = _file_codes(data_dir)
    lonely = [f"{_POI_PREFIX}{code}{_SUFFIX}" for code in poi_codes - traj_codes]
    lonely += [f"{_TRAJ_PREFIX}{code}{_SUFFIX}" for code in traj_codes - poi_codes]
    return tuple(sorted(lonely))


def resolve_city(city: str, data_dir: Path | str) -> str:
    """The code of a city of the data folder, given by its code or, when :data:`CITY_NAMES` knows it, its full name.

    The code is matched as it appears in the file names, then without regard to case (``toro``, ``Toronto`` and
    ``toronto`` -> ``Toro`` when ``poi-Toro.csv`` and ``traj-Toro.csv`` are in the folder).

    Raises
    ------
    TourDataError
        If the folder does not exist, or no city of the folder matches (the message names the files looked for and the
        cities the folder has).
    """
    folder = _data_folder(data_dir)
    wanted = city.strip()
    available = discover_cities(folder)
    if not wanted:
        raise TourDataError(f"empty city name; cities in {folder}: {_describe(available)}")
    if wanted in available:
        return wanted
    folded = wanted.casefold()
    matches = [code for code in available if folded in {code.casefold(), CITY_NAMES.get(code, code).casefold()}]
    if len(matches) == 1:
        return matches[0]
    if len(matches) > 1:
        raise TourDataError(f"city {city!r} is ambiguous in {folder}: {', '.join(matches)}; give the exact code")
    code = next((known for known, name in CITY_NAMES.items() if folded in {known.casefold(), name.casefold()}), wanted)
    poi_file, traj_file = city_files(folder, code)
    if poi_file.is_file() != traj_file.is_file():
        present, absent = (poi_file, traj_file) if poi_file.is_file() else (traj_file, poi_file)
        raise TourDataError(f"city {city!r}: {folder} has {present.name} but no {absent.name}")
    raise TourDataError(
        f"unknown city {city!r}: no {poi_file.name} and {traj_file.name} in {folder}; "
        f"cities there: {_describe(available)}"
    )


def _data_folder(data_dir: Path | str) -> Path:
    folder = Path(data_dir)
    if not folder.is_dir():
        raise TourDataError(f"{folder}: no such data folder")
    return folder


def _file_codes(data_dir: Path | str) -> tuple[set[str], set[str]]:
    """The city codes of the folder's ``poi-X.csv`` files and those of its ``traj-X.csv`` files (one listing)."""
    folder = _data_folder(data_dir)
    try:
        names = [path.name for path in folder.iterdir() if path.is_file()]
    except OSError as exc:
        raise TourDataError(f"{folder}: cannot list: {exc}") from exc
    return _codes_with(names, _POI_PREFIX), _codes_with(names, _TRAJ_PREFIX)


def _codes_with(names: list[str], prefix: str) -> set[str]:
    return {
        name[len(prefix) : -len(_SUFFIX)]
        for name in names
        if name.startswith(prefix) and name.endswith(_SUFFIX) and len(name) > len(prefix) + len(_SUFFIX)
    }


def _describe(codes: tuple[str, ...]) -> str:
    if not codes:
        return "none (no poi-<X>.csv with its traj-<X>.csv)"
    return ", ".join(f"{code} ({CITY_NAMES[code]})" if code in CITY_NAMES else code for code in codes)


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
        If the folder or a file is missing or unreadable, the city is not in the folder, a column is missing, a value
        does not parse, a trajectory names an unknown POI or visits one POI twice, or a file has no rows. The message
        names the file and line.
    """
    code = resolve_city(city, data_dir)
    poi_file, traj_file = city_files(data_dir, code)
    poi_ids, categories, category_of_poi, lat, lon = _read_pois(poi_file)
    index_of = {poi_id: index for index, poi_id in enumerate(poi_ids)}
    trajectories = _read_trajectories(traj_file, index_of)
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
    seen: set[int] = set()
    category_index: dict[str, int] = {}
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
        if poi_id in seen:
            raise TourDataError(f"{path}:{line}: poiID {poi_id} appears twice")
        seen.add(poi_id)
        poi_ids.append(poi_id)
        category_of_poi.append(category_index.setdefault(row["poiCat"].strip(), len(category_index)))
        lat.append(poi_lat)
        lon.append(poi_lon)
    return poi_ids, list(category_index), category_of_poi, lat, lon


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
