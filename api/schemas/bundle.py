"""The city bundle's summary."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from api.schemas.common import ATTRIBUTION
from api.schemas.places import PlaceResponse


class BundleResponse(BaseModel):
    """The offline city pack: places and place-to-place matrices (little-endian float32, base64, row-major)."""

    name: str
    input_hash: str
    bbox: tuple[float, float, float, float]
    places: list[PlaceResponse]
    matrices: dict[str, Any]
    attribution: str = ATTRIBUTION
