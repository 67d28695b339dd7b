"""A tiny hand-made city written to tmp_path, and the path of the real cikm16 data (never copied here)."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
CIKM16 = ROOT / ".." / "shared" / "benchmarks" / "tours" / "cikm16"

POI_CSV = """poiID,poiCat,poiLon,poiLat
1,Park,10.000,50.000
2,Park,10.010,50.000
3,Museum,10.020,50.005
4,Museum,10.030,50.010
5,Shop,10.000,50.020
6,Shop,10.015,50.015
"""

# userID,trajID,poiID,startTime,endTime,#photo,trajLen,poiDuration
TRAJECTORIES = [
    ("u1", 1, [1, 2, 3, 4]),
    ("u1", 2, [1, 3, 4]),
    ("u2", 3, [2, 3, 5]),
    ("u2", 4, [1, 2]),
    ("u3", 5, [5, 6, 4, 3]),
    ("u3", 6, [3]),
    ("u4", 7, [1, 6, 4]),
    ("u4", 8, [2, 6, 3, 4, 5]),
    ("u5", 9, [6, 5, 1]),
    ("u5", 10, [4, 3, 2, 1]),
]


def traj_csv(trajectories: list[tuple[str, int, list[int]]] = TRAJECTORIES) -> str:
    lines = ["userID,trajID,poiID,startTime,endTime,#photo,trajLen,poiDuration"]
    for user, traj_id, pois in trajectories:
        for position, poi in enumerate(pois):
            start = 1_000_000 + 10_000 * traj_id + 600 * position
            lines.append(f"{user},{traj_id},{poi},{start},{start + 300},2,{len(pois)},300")
    return "\n".join(lines) + "\n"


def write_city(
    folder: Path, *, code: str = "Toro", trajectories: list[tuple[str, int, list[int]]] = TRAJECTORIES
) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"poi-{code}.csv").write_text(POI_CSV, encoding="utf-8")
    (folder / f"traj-{code}.csv").write_text(traj_csv(trajectories), encoding="utf-8")
    return folder


def require_cikm16() -> Path:
    if not (CIKM16 / "traj-Toro.csv").is_file():
        pytest.skip(f"cikm16 data absent (expected at {CIKM16.resolve()}; it is never copied into the repository)")
    return CIKM16


def synthetic_city_files(*, n_pois: int = 12, n_trajectories: int = 40, seed: int = 7) -> tuple[str, str]:
    """A made-up city in the cikm16 format: the text of ``poi-<X>.csv`` and ``traj-<X>.csv``.

    POIs in three categories around (48.85, 2.35); ``n_trajectories`` trajectories of 1 to 6 distinct POIs by 15
    users, POIs drawn by a fixed popularity, visits in increasing time. The same seed gives the same files.
    """
    rng = random.Random(seed)
    categories = ("Museum", "Park", "Historical")
    poi_lines = ["poiID,poiCat,poiLon,poiLat"]
    for poi in range(n_pois):
        lon, lat = 2.35 + rng.uniform(-0.03, 0.03), 48.85 + rng.uniform(-0.02, 0.02)
        poi_lines.append(f"{poi + 1},{categories[poi % len(categories)]},{lon:.6f},{lat:.6f}")
    weights = [1.0 / (rank + 1) for rank in range(n_pois)]
    traj_lines = ["userID,trajID,poiID,startTime,endTime,#photo,trajLen,poiDuration"]
    clock = 1_300_000_000
    for traj_id in range(1, n_trajectories + 1):
        user = f"{rng.randrange(15):05d}@N0{rng.randrange(10)}"
        length = rng.choice((1, 2, 3, 3, 4, 4, 5, 6))
        pois: list[int] = []
        while len(pois) < length:
            poi = rng.choices(range(1, n_pois + 1), weights=weights)[0]
            if poi not in pois:
                pois.append(poi)
        clock += 86_400
        start = clock
        for poi in pois:
            duration = rng.randrange(0, 3_600)
            photos = rng.randrange(1, 9)
            traj_lines.append(f"{user},{traj_id},{poi},{start},{start + duration},{photos},{length},{duration}")
            start += duration + rng.randrange(300, 1_800)
    return "\n".join(poi_lines) + "\n", "\n".join(traj_lines) + "\n"


def write_synthetic_city(folder: Path, code: str, **options: int) -> Path:
    """Write ``poi-<code>.csv`` and ``traj-<code>.csv`` of :func:`synthetic_city_files` into ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    poi_text, traj_text = synthetic_city_files(**options)
    (folder / f"poi-{code}.csv").write_text(poi_text, encoding="utf-8")
    (folder / f"traj-{code}.csv").write_text(traj_text, encoding="utf-8")
    return folder
