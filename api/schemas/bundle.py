"""The city bundle's summary."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from api.schemas.common import ATTRIBUTION, ResponseModel
from api.schemas.places import PlaceResponse


class EncodedMatrix(ResponseModel):
    """A matrix as little-endian float32 values, row-major, base64-encoded; NaN means unreachable."""

    dtype: Literal["float32-le"]
    shape: list[int] = Field(description="rows, columns")
    base64: str


class BundleMatrices(ResponseModel):
    """Place-to-place matrices in ``place_ids`` order: walking metres, and bus seconds per period of the day."""

    place_ids: list[str]
    speed_mps: float = Field(description="The walking speed the bus matrices were computed with.")
    walk_m: EncodedMatrix
    bus_s: dict[str, EncodedMatrix] = Field(description="Per period (e.g. morning), door-to-door seconds by bus.")
    depart_s: dict[str, int] = Field(description="The departure time of each period, seconds after midnight.")
    nan_means: Literal["unreachable"]


class BundleResponse(ResponseModel):
    """The offline city pack: places and place-to-place matrices (little-endian float32, base64, row-major)."""

    name: str
    input_hash: str
    bbox: tuple[float, float, float, float]
    places: list[PlaceResponse]
    matrices: BundleMatrices
    attribution: str = ATTRIBUTION
