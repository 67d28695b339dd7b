"""The one .npz codec and the bundle loader: a bad file is one BundleError naming it, never a traceback."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from routing.bundle.load import load_bundle
from routing.bundle.manifest import (
    DRIVE_GRAPH,
    MANIFEST_NAME,
    MATRICES,
    TIMETABLE,
    TRANSFERS,
    WALK_GRAPH,
    WALK_INDEX,
)
from routing.bundle.matrices import PlaceMatrices
from routing.bundle.npz import read_npz, save_npz
from routing.errors import BundleError
from routing.graph.frozen import FrozenGraph
from routing.transit import Timetable, Transfers
from routing.walk.index import WalkIndex

READERS = {
    WALK_GRAPH: FrozenGraph.load,
    DRIVE_GRAPH: FrozenGraph.load,
    WALK_INDEX: WalkIndex.load,
    TIMETABLE: Timetable.load,
    TRANSFERS: Transfers.load,
    MATRICES: PlaceMatrices.load,
}


def copy_of(bundle_path: Path, target: Path) -> Path:
    """The bundle with every file linked (not copied) except the manifest, so one file can be replaced."""
    target.mkdir()
    for path in bundle_path.iterdir():
        if path.name == MANIFEST_NAME:
            shutil.copyfile(path, target / path.name)
        else:
            (target / path.name).symlink_to(path)
    return target


def foreign_npz(path: Path) -> None:
    save_npz(path, {"something": np.arange(3)})


def truncated_npz(source: Path, path: Path) -> None:
    path.write_bytes(source.read_bytes()[: source.stat().st_size // 2])


@pytest.mark.parametrize("name", sorted(READERS))
@pytest.mark.parametrize("damage", ["truncated", "foreign", "missing"])
def test_every_reader_turns_a_bad_file_into_a_bundle_error(
    bundle_path: Path, tmp_path: Path, name: str, damage: str
) -> None:
    path = tmp_path / name
    if damage == "truncated":
        truncated_npz(bundle_path / name, path)
    elif damage == "foreign":
        foreign_npz(path)
    with pytest.raises(BundleError) as caught:
        READERS[name](path)
    assert str(caught.value).startswith(f"{path}: ")


def test_read_npz_reads_typed_arrays_and_refuses_wrong_ones(tmp_path: Path) -> None:
    path = tmp_path / "record.npz"
    save_npz(path, {"ids": np.asarray(["a", "b"]), "n": np.int64(7), "x": np.arange(4, dtype=np.int32)}, file_format=2)
    with read_npz(path, what="record", file_format=2) as record:
        assert record.strings("ids") == ("a", "b")
        assert record.integer("n") == 7
        assert record.array("x", dtype=np.int64).dtype == np.int64
    pattern = r"record.npz: cannot read the record \(ValueError: format 2, expected 3\)"
    with pytest.raises(BundleError, match=pattern), read_npz(path, what="record", file_format=3):
        pass
    with pytest.raises(BundleError, match="array x has dtype int32, expected int64"), read_npz(path, what="r") as rec:
        rec.array("x", dtype=np.int64, exact=True)
    with pytest.raises(BundleError, match="array x has shape"), read_npz(path, what="r") as rec:
        rec.array("x", ndim=2)
    with pytest.raises(BundleError, match="KeyError"), read_npz(path, what="r") as rec:
        rec.array("absent")


@pytest.mark.parametrize("damage", ["truncated", "foreign"])
def test_load_bundle_names_the_bad_file(bundle_path: Path, tmp_path: Path, damage: str) -> None:
    bundle = copy_of(bundle_path, tmp_path / "bundle")
    target = bundle / WALK_INDEX
    target.unlink()
    if damage == "truncated":
        truncated_npz(bundle_path / WALK_INDEX, target)
    else:
        foreign_npz(target)
    for verify_hashes in (True, False):
        with pytest.raises(BundleError, match=WALK_INDEX):
            load_bundle(bundle, verify_hashes=verify_hashes)


def test_load_bundle_refuses_another_builder_version(bundle_path: Path, tmp_path: Path) -> None:
    bundle = copy_of(bundle_path, tmp_path / "bundle")
    manifest = json.loads((bundle / MANIFEST_NAME).read_text())
    manifest["builder_version"] = "0.0.1"
    (bundle / MANIFEST_NAME).write_text(json.dumps(manifest))
    with pytest.raises(BundleError, match=r"built by builder 0\.0\.1, this is .*rebuild it"):
        load_bundle(bundle)
