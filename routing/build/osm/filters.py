"""osmnx's network-type rules, applied to ways read locally instead of to an Overpass query.

osmnx expresses "walk" and "drive" as Overpass tag filters (``["highway"]["foot"!~"no"]...``). We parse
that very string, so our walk and drive graphs follow the installed osmnx's rules exactly rather than a copy.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

from osmnx import _overpass

from routing.errors import RoutingError

NetworkType = Literal["walk", "drive"]

_CLAUSE = re.compile(r'\["(?P<key>[^"]+)"(?:(?P<op>!?~)"(?P<regex>[^"]*)")?\]')


@dataclass(frozen=True)
class TagRule:
    """One Overpass clause: the key must exist, or its value must (not) match a regex."""

    key: str
    op: Literal["exists", "match", "no_match"]
    pattern: re.Pattern[str] | None

    def accepts(self, tags: Mapping[str, str]) -> bool:
        """Whether a way with these tags passes this clause, with Overpass semantics."""
        value = tags.get(self.key)
        if self.op == "exists":
            return value is not None
        assert self.pattern is not None
        if self.op == "match":
            return value is not None and self.pattern.search(value) is not None
        return value is None or self.pattern.search(value) is None


@dataclass(frozen=True)
class WayFilter:
    """All clauses of one network type; a way is kept when every clause accepts it."""

    network_type: str
    rules: tuple[TagRule, ...]

    def accepts(self, tags: Mapping[str, str]) -> bool:
        """Whether a way with these tags belongs to the network."""
        return all(rule.accepts(tags) for rule in self.rules)


def parse_overpass_filter(network_type: str, text: str) -> WayFilter:
    """Parse an Overpass way filter of the form osmnx writes into :class:`WayFilter`.

    Raises
    ------
    RoutingError
        If the text contains anything but ``["key"]``, ``["key"~"re"]`` and ``["key"!~"re"]`` clauses.
    """
    rules: list[TagRule] = []
    position = 0
    for match in _CLAUSE.finditer(text):
        if match.start() != position:
            raise RoutingError(f"unsupported Overpass filter syntax near {text[position : match.start() + 10]!r}")
        position = match.end()
        op = match.group("op")
        if op is None:
            rules.append(TagRule(match.group("key"), "exists", None))
        else:
            pattern = re.compile(match.group("regex"))
            rules.append(TagRule(match.group("key"), "match" if op == "~" else "no_match", pattern))
    if position != len(text.strip()) or not rules:
        raise RoutingError(f"unsupported Overpass filter syntax: {text!r}")
    return WayFilter(network_type, tuple(rules))


def osmnx_way_filter(network_type: NetworkType) -> WayFilter:
    """The installed osmnx's way filter for ``network_type``."""
    return parse_overpass_filter(network_type, _overpass._get_network_filter(network_type))
