"""The FastAPI application factory."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from starlette.middleware.gzip import GZipMiddleware

from api.cache import Cache
from api.city import city_router, default_bundle_path
from api.errors import install_error_handlers
from api.middleware import CompletedResponseGuard, ServiceMiddleware, configure_logging
from api.openapi import install_openapi
from api.planner import Planner, plan_answer
from api.routers import auth, bundle, communes, events, feedback, health, itineraries, journeys, places, plans
from api.routers.docs import install_docs
from api.routers.operators import install_operator_tools
from api.served_by import ServedByMiddleware
from api.settings import Settings, get_settings
from api.store.db import DatabaseTimeouts, make_engine, migrate, session_factory
from recommender.city import City, load_city

if TYPE_CHECKING:
    from recommender.preference import PreferenceModel
from routing import BundleError, CityRouter

logger = logging.getLogger("api")
DESCRIPTION = """\
Walking and bus itineraries through Hanoi's heritage sites, craft villages, food and cultural-industry centres.

Errors are RFC 9457 `application/problem+json` with `type`, `title`, `status`, `detail` and, for invalid input, an
`errors` list of `{field, pointer, detail}`. Sign in with `POST /v1/auth/device` (anonymous) or
`/v1/auth/register`; send `Authorization: Bearer <access_token>`. Map data © OpenStreetMap contributors (ODbL);
bus data from the Hanoi GTFS (CC BY 4.0).
"""


def load_preference_model(path: Path, city: City) -> PreferenceModel:
    """The learnt model the settings name, checked against the city's catalogue.

    Raises
    ------
    RuntimeError
        If the file is missing or is not a model for this catalogue (the service refuses to start).
    """
    from recommender.preference import PreferenceModel, PreferenceModelError  # noqa: PLC0415 - optional, heavy

    try:
        return PreferenceModel.load(path, city.catalogue)
    except (OSError, PreferenceModelError) as exc:
        raise RuntimeError(f"HERITAGE_PREFERENCE_MODEL_PATH: {exc}") from exc


def create_app(
    *,
    city: City | None = None,
    bundle_path: Path | None = None,
    settings: Settings | None = None,
    router: CityRouter | None = None,
    preference_model: PreferenceModel | None = None,
) -> FastAPI:
    """Build the app; the city is loaded once at start-up unless one is passed in (tests).

    ``router`` is one already built (and warmed up) for ``city`` and ``preference_model`` the one the settings name,
    both loaded by ``heritage serve`` before it listens; else the model is loaded here when the settings name one.
    Plans are computed in this process (:class:`api.planner.Planner`).

    Raises
    ------
    RuntimeError
        Outside development with a default or weak secret key (:meth:`Settings.check_secrets`).
    """
    settings = settings or get_settings()
    settings.check_secrets()
    configure_logging(json_lines=settings.log_json)
    cache = Cache(settings.redis_url, prefix=settings.redis_prefix, timeout_s=settings.redis_timeout_s)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        try:
            loaded = city if city is not None else load_city(bundle_path or default_bundle_path(settings))
        except BundleError as exc:
            # Stay up to say so: /ready answers 503 and every city endpoint a 503 problem, until a good bundle.
            logger.error("cannot serve: %s", exc)  # noqa: TRY400 (the message names the file: no traceback)
            app.state.city = app.state.router = app.state.preference_model = app.state.planner = None
        else:
            app.state.city = loaded
            app.state.router = router if router is not None and city is not None else city_router(loaded, settings)
            model = preference_model
            if model is None and settings.preference_model_path is not None:
                model = load_preference_model(settings.preference_model_path, loaded)
            app.state.preference_model = model
            app.state.planner = Planner(partial(plan_answer, loaded, app.state.router, model=model))
        engine = make_engine(settings.resolved_database_url, timeouts=DatabaseTimeouts.from_settings(settings))
        migrate(engine)
        app.state.engine = engine
        app.state.sessions = session_factory(engine)
        app.state.bundle_packs = {}
        name = app.state.city.bundle.name if app.state.city is not None else "unavailable"
        logger.info("ready: bundle %s, database %s, cache %s", name, engine.dialect.name, cache.backend)
        try:
            yield
        finally:
            if app.state.planner is not None:
                app.state.planner.close()
            engine.dispose()
            await cache.aclose()
            cache.close()

    app = FastAPI(
        title="Hanoi heritage routes",
        version="1.0.0",
        description=DESCRIPTION,
        lifespan=lifespan,
        docs_url=None,  # /docs and /redoc: install_docs, with their scripts served here, not from a CDN
        redoc_url=None,
        openapi_tags=[
            {"name": "places", "description": "The place catalogue."},
            {"name": "routes", "description": "Walks, bus journeys and isochrones."},
            {"name": "plans", "description": "Personalised itineraries."},
            {"name": "auth", "description": "Anonymous devices, email accounts and tokens."},
            {"name": "itineraries", "description": "Saved plans (owner only)."},
            {"name": "feedback", "description": "Visit, like, rating and skip events."},
            {"name": "bundle", "description": "The offline city pack."},
            {"name": "events", "description": "Festivals and other dated events (solar or Vietnamese lunar dates)."},
            {"name": "communes", "description": "The 126 wards and communes: stories, signature places, events."},
            {"name": "health", "description": "Liveness, readiness, metrics."},
        ],
    )
    app.state.settings = settings
    app.state.cache = cache
    install_error_handlers(app)
    install_openapi(app)
    install_docs(app)
    for module in (health, places, journeys, plans, auth, itineraries, feedback, bundle, events, communes):
        app.include_router(module.router)
    install_operator_tools(app)
    # Added innermost first: the service middleware sees uncompressed bodies; CORS answers preflights first.
    app.add_middleware(ServiceMiddleware, settings=settings, cache=cache)
    app.add_middleware(GZipMiddleware, minimum_size=1024)
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_methods=["GET", "POST", "PATCH", "DELETE", "OPTIONS"],
            allow_headers=["Authorization", "Content-Type", "Idempotency-Key", "Accept-Language", "If-None-Match"],
            expose_headers=["ETag", "X-Request-ID", "Retry-After", "Location"],
        )
    if settings.server_id:
        app.add_middleware(ServedByMiddleware, server_id=settings.server_id)
    # Outermost, around Starlette's error middleware: a 500 already sent does not close the keep-alive connection.
    build_stack = app.build_middleware_stack
    app.build_middleware_stack = lambda: CompletedResponseGuard(build_stack())  # type: ignore[method-assign]
    return app
