from __future__ import annotations

from pathlib import Path

import pytest

from recommender.errors import RecommenderError
from recommender.tours import TourDataError, load_city, resolve_city
from tests.recommender.tours.helpers import POI_CSV, write_city


def test_loads_pois_and_trajectories(tmp_path: Path) -> None:
    city = load_city(write_city(tmp_path / "data"), "toronto")
    assert city.code == "Toro"
    assert city.n_pois == 6
    assert city.categories == ("Park", "Museum", "Shop")
    assert [trajectory.traj_id for trajectory in city.trajectories][:3] == [1, 2, 3]
    first = city.trajectories[0]
    assert [city.poi_ids[poi] for poi in first.pois] == [1, 2, 3, 4]
    assert first.durations_s == (300.0, 300.0, 300.0, 300.0)
    assert city.distance_km()[0, 1] == pytest.approx(0.715, abs=0.01)


def test_visits_are_sorted_by_start_time_stably(tmp_path: Path) -> None:
    folder = tmp_path / "data"
    folder.mkdir()
    (folder / "poi-Osak.csv").write_text(POI_CSV, encoding="utf-8")
    (folder / "traj-Osak.csv").write_text(
        "userID,trajID,poiID,startTime,endTime\nu,1,4,200,210\nu,1,2,100,100\nu,1,5,100,150\nu,1,1,50,60\n",
        encoding="utf-8",
    )
    city = load_city(folder, "Osak")
    assert [city.poi_ids[poi] for poi in city.trajectories[0].pois] == [1, 2, 5, 4]  # 2 before 5: file order


def test_melbourne_column_order_is_read_by_name(tmp_path: Path) -> None:
    folder = write_city(tmp_path / "data", code="Melb")
    swapped = "poiID,poiCat,poiLat,poiLon\n" + "".join(
        f"{poi},{cat},{lat},{lon}\n"
        for poi, cat, lon, lat in (line.split(",") for line in POI_CSV.strip().splitlines()[1:])
    )
    (folder / "poi-Melb.csv").write_text(swapped, encoding="utf-8")
    city = load_city(folder, "Melb")
    assert city.lat[0] == pytest.approx(50.0)
    assert city.lon[0] == pytest.approx(10.0)


def test_unknown_city(tmp_path: Path) -> None:
    folder = write_city(tmp_path / "data")
    with pytest.raises(TourDataError, match=r"unknown city 'Hanoi': .*; cities there: Toro \(Toronto\)"):
        resolve_city("Hanoi", folder)


def test_missing_folder(tmp_path: Path) -> None:
    with pytest.raises(TourDataError, match="no such data folder"):
        load_city(tmp_path / "nowhere", "Toro")


def test_missing_file(tmp_path: Path) -> None:
    folder = write_city(tmp_path / "data")
    (folder / "traj-Toro.csv").unlink()
    with pytest.raises(TourDataError, match=r"has poi-Toro\.csv but no traj-Toro\.csv"):
        load_city(folder, "Toro")


@pytest.mark.parametrize(
    ("name", "text", "message"),
    [
        ("traj-Toro.csv", "userID,trajID,poiID\nu,1,1\n", "missing column"),
        ("traj-Toro.csv", "userID,trajID,poiID,startTime,endTime\nu,one,1,5,6\n", r"traj-Toro\.csv:2: invalid literal"),
        ("traj-Toro.csv", "userID,trajID,poiID,startTime,endTime\nu,1,99,5,6\n", "poiID 99 is not in the POI file"),
        ("traj-Toro.csv", "userID,trajID,poiID,startTime,endTime\nu,1,1,5,6\nu,1,1,7,8\n", "visits a POI twice"),
        ("traj-Toro.csv", "userID,trajID,poiID,startTime,endTime\nu,1,1,9,6\n", "endTime 6 before startTime 9"),
        ("traj-Toro.csv", "userID,trajID,poiID,startTime,endTime\n", "no rows"),
        ("traj-Toro.csv", "userID,trajID,poiID,startTime,endTime\nu,1,,5,6\n", "missing value"),
        ("poi-Toro.csv", "poiID,poiCat,poiLon,poiLat\n1,Park,10,95\n", "coordinates out of range"),
        ("poi-Toro.csv", "poiID,poiCat,poiLon,poiLat\n1,Park,10,50\n1,Park,10,50\n", "appears twice"),
    ],
)
def test_corrupt_files(tmp_path: Path, name: str, text: str, message: str) -> None:
    folder = write_city(tmp_path / "data")
    (folder / name).write_text(text, encoding="utf-8")
    with pytest.raises(TourDataError, match=message) as caught:
        load_city(folder, "Toro")
    assert isinstance(caught.value, RecommenderError)


def test_binary_garbage_is_a_clear_error(tmp_path: Path) -> None:
    folder = write_city(tmp_path / "data")
    (folder / "traj-Toro.csv").write_bytes(b"\xff\xfe\x00garbage")
    with pytest.raises(TourDataError, match=r"traj-Toro\.csv"):
        load_city(folder, "Toro")
