"""Tour recommendation on the cikm16 Flickr trajectories: data, leave-one-out protocol, metrics, models.

Given a start POI, an end POI and a length, recommend the visit sequence (Chen, Ong & Xie, CIKM 2016; data of
Lim et al., IJCAI 2015). The protocol is ``../shared/benchmarks/tours/PROTOCOL.md``. A city is any ``X`` whose
``poi-X.csv`` and ``traj-X.csv`` are in the data folder (:func:`discover_cities`).
"""

from recommender.tours.baselines import PoiPopularity
from recommender.tours.data import CITY_NAMES, TourCity, Trajectory, discover_cities, load_city, resolve_city
from recommender.tours.errors import TourDataError
from recommender.tours.metrics import f1_inner, f1_points, pairs_f1
from recommender.tours.protocol import QueryResult, Summary, TourQuery, TourRecommender, evaluate, queries, summarise

__all__ = [
    "CITY_NAMES",
    "PoiPopularity",
    "QueryResult",
    "Summary",
    "TourCity",
    "TourDataError",
    "TourQuery",
    "TourRecommender",
    "Trajectory",
    "discover_cities",
    "evaluate",
    "f1_inner",
    "f1_points",
    "load_city",
    "pairs_f1",
    "queries",
    "resolve_city",
    "summarise",
]
