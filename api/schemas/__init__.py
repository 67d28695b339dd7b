"""Typed models of the public API, one module per resource; this package re-exports them all."""

from __future__ import annotations

from api.schemas.auth import DeviceRequest, LoginRequest, RefreshRequest, RegisterRequest, TokenResponse
from api.schemas.bundle import BundleResponse
from api.schemas.common import ATTRIBUTION
from api.schemas.feedback import FeedbackBatch, FeedbackEventIn, FeedbackResponse
from api.schemas.health import ComponentHealth, HealthResponse, ReadyResponse
from api.schemas.itineraries import ItineraryCreate, ItineraryPageResponse, ItineraryResponse, ItineraryUpdate
from api.schemas.operators import OperatorLineRequest, OperatorLineResponse, OperatorNetworkResponse
from api.schemas.places import PlaceListResponse, PlacePageResponse, PlaceResponse
from api.schemas.plans import PlanRequest, PlanResponse
from api.schemas.routes import (
    EndAccessResponse,
    IsochronePlace,
    IsochroneResponse,
    LastLegResponse,
    NearestStopResponse,
    RouteAccessResponse,
    RouteResponse,
    TaxiTripResponse,
)

__all__ = [
    "ATTRIBUTION",
    "BundleResponse",
    "ComponentHealth",
    "DeviceRequest",
    "EndAccessResponse",
    "FeedbackBatch",
    "FeedbackEventIn",
    "FeedbackResponse",
    "HealthResponse",
    "IsochronePlace",
    "IsochroneResponse",
    "ItineraryCreate",
    "ItineraryPageResponse",
    "ItineraryResponse",
    "ItineraryUpdate",
    "LastLegResponse",
    "LoginRequest",
    "NearestStopResponse",
    "OperatorLineRequest",
    "OperatorLineResponse",
    "OperatorNetworkResponse",
    "PlaceListResponse",
    "PlacePageResponse",
    "PlaceResponse",
    "PlanRequest",
    "PlanResponse",
    "ReadyResponse",
    "RefreshRequest",
    "RegisterRequest",
    "RouteAccessResponse",
    "RouteResponse",
    "TaxiTripResponse",
    "TokenResponse",
]
