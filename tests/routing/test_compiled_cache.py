"""The kernels' disk cache is keyed on every kernel source, so a change to a callee in another file recompiles."""

from __future__ import annotations

from pathlib import Path

import numba

from routing.compiled import kernel_sources_digest


def _tree(root: Path, kernel: str, helper: str) -> None:
    (root / "routing").mkdir(parents=True, exist_ok=True)
    (root / "recommender" / "planner").mkdir(parents=True, exist_ok=True)
    (root / "routing" / "kernels.py").write_text(kernel, encoding="utf-8")
    (root / "recommender" / "planner" / "helpers.py").write_text(helper, encoding="utf-8")


def test_a_change_to_any_kernel_file_changes_the_digest(tmp_path: Path) -> None:
    _tree(tmp_path, "@jit\ndef a(x):\n    return x\n", "@jit\ndef b(x):\n    return a(x)\n")
    before = kernel_sources_digest(tmp_path)
    (tmp_path / "routing" / "kernels.py").write_text("@jit\ndef a(x):\n    return x + 1\n", encoding="utf-8")
    assert kernel_sources_digest(tmp_path) != before


def test_files_without_kernels_do_not_count(tmp_path: Path) -> None:
    _tree(tmp_path, "@jit\ndef a(x):\n    return x\n", "def plain():\n    return 1\n")
    before = kernel_sources_digest(tmp_path)
    (tmp_path / "recommender" / "planner" / "helpers.py").write_text("def plain():\n    return 2\n", encoding="utf-8")
    assert kernel_sources_digest(tmp_path) == before


def test_numba_caches_under_the_digest_of_this_checkout() -> None:
    assert Path(numba.config.CACHE_DIR).name == kernel_sources_digest()  # type: ignore[attr-defined]
