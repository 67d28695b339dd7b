"""Bad catalogue rows stop `heritage build` with the file and line named, and leave no bundle behind."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from tests.conftest import CATALOGUE
from tests.heritage_process import run_build


def _spoiled(tmp_path: Path, place_id: str, column: str, value: str) -> tuple[Path, int]:
    """A copy of the shipped catalogue with one value changed; returns its path and the changed line."""
    with CATALOGUE.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    index = next(i for i, row in enumerate(rows) if row["id"] == place_id)
    rows[index][column] = value
    path = tmp_path / "spoiled-catalogue.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path, index + 2


@pytest.mark.parametrize(
    ("place_id", "column", "value", "message"),
    [
        ("hoa-lo-prison", "ward", "xa-bat-trang", "field 'ward': the point"),
        ("thien-quang-well", "part_of", "temple-of-literatur", "is not the id of any place"),
    ],
)
def test_bad_catalogue_row_stops_the_build(
    tmp_path: Path, place_id: str, column: str, value: str, message: str
) -> None:
    path, line = _spoiled(tmp_path, place_id, column, value)
    result = run_build(tmp_path, catalogue=path)
    assert result.returncode == 1, result.stderr
    stderr = " ".join(result.stderr.split())
    assert f"spoiled-catalogue.csv, line {line}" in stderr
    assert message in stderr
    assert "Traceback" not in result.stderr
    bundles = tmp_path / "bundles"
    assert not bundles.exists() or not any(bundles.iterdir())
