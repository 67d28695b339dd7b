"""The routing façade: every exported name resolves, and api/, recommender/ and cli/ import nothing else."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import routing

ROOT = Path(__file__).resolve().parents[2]
CLIENT_PACKAGES = ("api", "recommender", "cli")


@pytest.mark.parametrize("name", routing.__all__)
def test_every_exported_name_resolves(name: str) -> None:
    assert getattr(routing, name) is not None


def test_an_unknown_name_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="no attribute 'street_index'"):
        _ = routing.street_index


def _routing_imports(path: Path, *, root: Path = ROOT) -> list[str]:
    """Each import of routing in a file that does not go through the façade's exported names."""
    found = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found += [alias.name for alias in node.names if alias.name.startswith("routing.")]
        elif isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] == "routing":
            if node.module != "routing":
                found.append(f"from {node.module}")
            else:
                found += [f"routing.{a.name}" for a in node.names if a.name not in routing.__all__]
    return [f"{path.relative_to(root)}: {item}" for item in found]


def test_clients_import_only_the_facade() -> None:
    offending = [
        item
        for package in CLIENT_PACKAGES
        for path in (ROOT / package).rglob("*.py")
        for item in _routing_imports(path)
    ]
    assert offending == []


def test_the_check_sees_a_deep_import(tmp_path: Path) -> None:
    module = tmp_path / "deep.py"
    module.write_text("from routing.streets.snap import EdgeSnapper\nfrom routing import CityRouter, _HOMES\n")
    found = [item.split(": ", 1)[1] for item in _routing_imports(module, root=tmp_path)]
    assert found == ["from routing.streets.snap", "routing._HOMES"]
