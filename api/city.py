"""Find and load the city bundle the settings describe (shared by the API and the CLI)."""

from __future__ import annotations

from pathlib import Path

from api.settings import Settings, get_settings
from recommender.city import City, build_spec, expected_bundle_path, load_city
from routing import BuildOptions, BuildSpec, CityRouter


def current_spec(settings: Settings | None = None, *, osm_path: Path | None = None) -> BuildSpec:
    """The build the settings describe (raises CatalogueError / InputDataError on bad inputs)."""
    settings = settings or get_settings()
    return build_spec(
        osm_path or settings.resolved_osm_path(),
        settings.resolved_transit_dir(),
        settings.resolved_catalogue_path(),
        options=BuildOptions(),
    )


def default_bundle_path(settings: Settings | None = None) -> Path:
    """The bundle directory for the current inputs (it may not exist yet)."""
    settings = settings or get_settings()
    return expected_bundle_path(current_spec(settings), settings.bundle_dir)


def city_router(city: City, settings: Settings | None = None) -> CityRouter:
    """The routers for ``city`` with the settings' query-time snap distance and walking speed (else the bundle's)."""
    settings = settings or get_settings()
    return CityRouter(city.bundle, max_snap_m=settings.max_snap_m, walk_speed_mps=settings.walk_speed_mps)


def open_city(bundle: Path | None, settings: Settings | None = None) -> City:
    """Load ``bundle`` or, when None, the bundle built from the current inputs.

    Raises
    ------
    routing.errors.BundleError
        If no such bundle exists (the message says to run ``heritage build``) or it fails verification.
    """
    from routing import BundleError  # noqa: PLC0415

    path = bundle or default_bundle_path(settings)
    if not path.exists():
        raise BundleError(f"no bundle at {path} for the current inputs; run `heritage build` first")
    return load_city(path)
