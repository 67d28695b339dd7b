"""A bundle record saved and loaded back, and compared field by field (arrays element-wise)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np


def round_trip(record: Any, path: Path) -> Any:
    """``record`` saved to ``path`` and loaded back by its own class."""
    record.save(path)
    return type(record).load(path)


def assert_same_fields(loaded: Any, original: Any, *names: str) -> None:
    """Each named field of ``loaded`` equals the original's (arrays element by element)."""
    for name in names:
        value, expected = getattr(loaded, name), getattr(original, name)
        if isinstance(expected, np.ndarray):
            np.testing.assert_array_equal(value, expected, err_msg=name)
        else:
            assert value == expected, name
