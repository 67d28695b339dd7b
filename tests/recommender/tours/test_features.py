"""Neighbourhood features: k-means clusters of the POIs' coordinates, as PoiRank's (Chen, Ong & Xie 2016)."""

from __future__ import annotations

import numpy as np

from recommender.tours.counts import empty_counts
from recommender.tours.features import StepRows, gather, poi_neighbourhoods, step_features


def test_neighbourhoods_group_nearby_pois_deterministically() -> None:
    lat = np.array([10.000, 10.001, 10.002, 10.500, 10.501, 10.502])
    lon = np.array([20.000, 20.001, 20.000, 20.500, 20.501, 20.500])
    labels = poi_neighbourhoods(lat, lon, n_neighbourhoods=2)
    assert len(set(labels[:3].tolist())) == 1
    assert len(set(labels[3:].tolist())) == 1
    assert labels[0] != labels[3]
    np.testing.assert_array_equal(labels, poi_neighbourhoods(lat, lon, n_neighbourhoods=2))


def test_fewer_pois_than_neighbourhoods_gives_each_its_own() -> None:
    labels = poi_neighbourhoods(np.array([1.0, 2.0, 3.0]), np.array([1.0, 2.0, 3.0]), n_neighbourhoods=5)
    np.testing.assert_array_equal(labels, [0, 1, 2])


def test_step_features_add_neighbourhood_columns() -> None:
    n_pois = 4
    rows = StepRows(
        source=np.array([0, 0, 0]),
        candidate=np.array([1, 2, 3]),
        start=np.array([0, 0, 0]),
        end=np.array([3, 3, 3]),
        remaining=np.array([0, 0, 0]),
    )
    category_of_poi = np.array([0, 0, 1, 1])
    neighbourhood_of_poi = np.array([0, 1, 1, 0])
    raw = gather(empty_counts(n_pois, 2), rows, category_of_poi)
    distance_km = np.ones((n_pois, n_pois)) - np.eye(n_pois)
    options = {"distance_km": distance_km, "category_of_poi": category_of_poi, "n_categories": 2}
    plain = step_features(raw, np.zeros(3), rows, **options)  # type: ignore[arg-type]
    with_neighbourhoods = step_features(
        raw,
        np.zeros(3),
        rows,
        neighbourhood_of_poi=neighbourhood_of_poi,
        **options,  # type: ignore[arg-type]
    )
    assert with_neighbourhoods.shape[1] == plain.shape[1] + 2 + 2
    np.testing.assert_array_equal(with_neighbourhoods[:, : plain.shape[1]], plain)
    extra = with_neighbourhoods[:, plain.shape[1] :]
    # candidates 1, 2, 3 lie in neighbourhoods 1, 1, 0; start 0 and end 3 both in neighbourhood 0
    np.testing.assert_array_equal(extra, [[0, 1, 0, 0], [0, 1, 0, 0], [1, 0, 1, 1]])
