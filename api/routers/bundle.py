"""The offline city pack for the app: places and compact place-to-place matrices, with an ETag."""

from __future__ import annotations

import base64
from typing import Annotated, Any

import numpy as np
import orjson
from fastapi import APIRouter, Depends, Header, Request, Response

from api.deps import CityDep, LanguageDep
from api.errors import known_query, responses
from api.routers.places import to_response
from api.schemas.bundle import BundleMatrices, BundleResponse, EncodedMatrix
from recommender.city import City

router = APIRouter(prefix="/v1", tags=["bundle"], dependencies=[Depends(known_query)])


def _matrix(values: Any) -> EncodedMatrix:
    array = np.ascontiguousarray(values, dtype="<f4")
    return EncodedMatrix(dtype="float32-le", shape=list(array.shape), base64=base64.b64encode(array.tobytes()).decode())


def build_pack(city: City, lang: str) -> bytes:
    """The JSON bytes of the pack (built once per language and cached on the app)."""
    matrices = city.bundle.matrices
    manifest = city.bundle.manifest
    places = [
        to_response(city.catalogue.get(pid), city, "vi" if lang == "vi" else "en")
        for pid in matrices.place_ids
        if pid in city.catalogue
    ]
    pack = BundleResponse(
        name=manifest.name,
        input_hash=manifest.input_hash,
        bbox=manifest.bbox,
        places=places,
        matrices=BundleMatrices(
            place_ids=list(matrices.place_ids),
            speed_mps=matrices.speed_mps,
            walk_m=_matrix(matrices.walk_m),
            bus_s={period: _matrix(values) for period, values in matrices.bus_s.items()},
            depart_s=dict(matrices.depart_s),
            nan_means="unreachable",
        ),
    )
    return orjson.dumps(pack.model_dump(mode="json"))


@router.get(
    "/bundle",
    response_model=BundleResponse,
    responses={304: {"description": "Not modified"}, **responses("invalid-request", "rate-limited")},
)
def get_bundle(
    request: Request,
    city: CityDep,
    lang: LanguageDep,
    if_none_match: Annotated[str | None, Header(include_in_schema=False)] = None,
) -> Response:
    """The pack for offline use; its ETag changes only with the bundle, so re-downloads are cheap."""
    etag = f'"{city.bundle.manifest.input_hash[:32]}-{lang}"'
    if if_none_match and (etag in {t.strip() for t in if_none_match.split(",")} or if_none_match.strip() == "*"):
        return Response(status_code=304, headers={"ETag": etag})
    packs: dict[str, bytes] = request.app.state.bundle_packs
    if lang not in packs:
        packs[lang] = build_pack(city, lang)
    return Response(
        packs[lang], media_type="application/json", headers={"ETag": etag, "Cache-Control": "public, max-age=3600"}
    )
