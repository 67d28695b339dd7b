"""Typed models of the public API, one module per resource; this package re-exports them all."""

from __future__ import annotations

from api.schemas.auth import DeviceRequest, LoginRequest, RefreshRequest, RegisterRequest, TokenResponse
from api.schemas.bundle import BundleMatrices, BundleResponse, EncodedMatrix
from api.schemas.common import ATTRIBUTION, LineString, MultiPolygon, Polygon, ResponseModel, StrictModel
from api.schemas.feedback import FeedbackBatch, FeedbackEventIn, FeedbackResponse
from api.schemas.health import ComponentHealth, HealthResponse, ReadyResponse
from api.schemas.itineraries import (
    ItineraryCreate,
    ItineraryPageResponse,
    ItineraryResponse,
    ItineraryUpdate,
    SavedPlan,
)
from api.schemas.operators import (
    LineProposalModel,
    NetworkPlace,
    OperatorLineRequest,
    OperatorLineResponse,
    OperatorNetworkResponse,
)
from api.schemas.places import PlaceListResponse, PlacePageResponse, PlaceResponse
from api.schemas.plans import (
    PlanDay,
    PlanItinerary,
    PlanLeg,
    PlanRequest,
    PlanResponse,
    PlanVisit,
    RidePart,
    WalkPart,
)
from api.schemas.routes import (
    BusJourney,
    BusRoute,
    EndAccessResponse,
    IsochroneArea,
    IsochronePlace,
    IsochroneResponse,
    LastLegResponse,
    NearestStopResponse,
    RouteAccessResponse,
    RouteFeature,
    RouteFeatureCollection,
    RouteResponse,
    TaxiTripResponse,
    WalkRoute,
)

__all__ = [
    "ATTRIBUTION",
    "BundleMatrices",
    "BundleResponse",
    "BusJourney",
    "BusRoute",
    "ComponentHealth",
    "DeviceRequest",
    "EncodedMatrix",
    "EndAccessResponse",
    "FeedbackBatch",
    "FeedbackEventIn",
    "FeedbackResponse",
    "HealthResponse",
    "IsochroneArea",
    "IsochronePlace",
    "IsochroneResponse",
    "ItineraryCreate",
    "ItineraryPageResponse",
    "ItineraryResponse",
    "ItineraryUpdate",
    "LastLegResponse",
    "LineProposalModel",
    "LineString",
    "LoginRequest",
    "MultiPolygon",
    "NearestStopResponse",
    "NetworkPlace",
    "OperatorLineRequest",
    "OperatorLineResponse",
    "OperatorNetworkResponse",
    "PlaceListResponse",
    "PlacePageResponse",
    "PlaceResponse",
    "PlanDay",
    "PlanItinerary",
    "PlanLeg",
    "PlanRequest",
    "PlanResponse",
    "PlanVisit",
    "Polygon",
    "ReadyResponse",
    "RefreshRequest",
    "RegisterRequest",
    "ResponseModel",
    "RidePart",
    "RouteAccessResponse",
    "RouteFeature",
    "RouteFeatureCollection",
    "RouteResponse",
    "SavedPlan",
    "StrictModel",
    "TaxiTripResponse",
    "TokenResponse",
    "WalkPart",
    "WalkRoute",
]
