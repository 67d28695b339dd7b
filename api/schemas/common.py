"""What every answer shares."""

from __future__ import annotations

ATTRIBUTION = "© OpenStreetMap contributors (ODbL 1.0); Hanoi bus GTFS © World Bank (CC BY 4.0)"
