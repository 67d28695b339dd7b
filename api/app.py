"""The FastAPI application factory."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI

from api.city import default_bundle_path
from api.errors import install_error_handlers
from api.routers import health, places
from api.settings import get_settings
from recommender.city import City, load_city


def create_app(*, city: City | None = None, bundle_path: Path | None = None) -> FastAPI:
    """Build the app; the city is loaded once at start-up unless one is passed in (tests)."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if city is not None:
            app.state.city = city
        else:
            app.state.city = load_city(bundle_path or default_bundle_path(get_settings()))
        yield

    app = FastAPI(
        title="Hanoi heritage routes",
        version="0.1.0",
        description="Walking and bus itineraries through Hanoi's heritage sites, craft villages, food and CI centres.",
        lifespan=lifespan,
    )
    install_error_handlers(app)
    app.include_router(health.router)
    app.include_router(places.router)
    return app
