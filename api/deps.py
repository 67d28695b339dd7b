"""FastAPI dependencies: the loaded city, shared by every request."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from recommender.city import City


def get_city(request: Request) -> City:
    """The city loaded at start-up (see ``api.app.lifespan``)."""
    city: City = request.app.state.city
    return city


CityDep = Annotated[City, Depends(get_city)]
