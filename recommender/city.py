"""The city as the recommender sees it: the compiled bundle plus the validated place catalogue.

This module joins the two halves of a build: the catalogue is validated here (``recommender`` owns
it) and handed to ``routing`` as plain points to snap, so ``routing`` never depends on ``recommender``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from recommender.catalogue import WARDS_CHECKED, Catalogue, Place, load_catalogue
from routing import BuildOptions, BuildSpec, CityBundle, PlaceInput, ProgressFn, build_bundle, bundle_name, load_bundle


@dataclass(frozen=True)
class City:
    """A loaded bundle and its catalogue."""

    bundle: CityBundle
    catalogue: Catalogue


def build_spec(osm_path: Path, transit_dir: Path, catalogue_path: Path, *, options: BuildOptions) -> BuildSpec:
    """Validate the catalogue and describe a build.

    Raises
    ------
    recommender.catalogue.CatalogueError
        If the catalogue is invalid (the message names the file, line and field).
    """
    catalogue = load_catalogue(catalogue_path)
    places = tuple(
        PlaceInput(place.id, place.lat, place.lon, place.model_dump(mode="json")) for place in catalogue.places
    )
    return BuildSpec(osm_path, transit_dir, catalogue_path, places, options)


def build_city(spec: BuildSpec, out_dir: Path, *, force: bool = False, on_progress: ProgressFn | None = None) -> Path:
    """Compile (or reuse) the bundle for ``spec``; returns its directory."""
    return build_bundle(spec, out_dir, force=force, on_progress=on_progress)


def expected_bundle_path(spec: BuildSpec, out_dir: Path) -> Path:
    """Where the bundle for these inputs lives (whether or not it exists yet)."""
    return out_dir / bundle_name(spec)


def load_city(bundle_dir: Path) -> City:
    """Load a bundle and rebuild its catalogue from the records it carries.

    Raises
    ------
    routing.errors.BundleError
        If the bundle is missing, altered or from another builder version.
    """
    bundle = load_bundle(bundle_dir)
    places = tuple(Place.model_validate(record, context={WARDS_CHECKED: True}) for record in bundle.places)
    return City(bundle=bundle, catalogue=Catalogue.from_places(places))
