"""Map pages the ``heritage`` command writes (``plan --map``, ``design-line --map``): self-contained, no CDN."""

from __future__ import annotations

import base64
import re
from collections.abc import Iterator
from importlib import resources
from typing import TYPE_CHECKING, Any, Final

if TYPE_CHECKING:
    import folium


MAP_SCRIPTS: Final[tuple[tuple[str, str], ...]] = (
    ("xstatic.pkg.leaflet", "leaflet.js"),
    ("xstatic.pkg.jquery", "jquery.min.js"),
)
"""The scripts a folium page needs (its popups build their content with jQuery), from the pinned XStatic packages."""
MAP_STYLES: Final[tuple[tuple[str, str], ...]] = (("xstatic.pkg.leaflet", "leaflet.css"),)
_CSS_URL = re.compile(r"url\((['\"]?)(images/[\w.-]+\.png)\1\)")
_EXTERNAL = re.compile(r"<script\b[^>]*\bsrc\s*=|<link\b[^>]*\bhref\s*=\s*['\"]?(?:https?:)?//", re.IGNORECASE)
_CLOSING_SCRIPT = re.compile(r"</(script)", re.IGNORECASE)
_MARKER_COLOURS: Final[dict[str, str]] = {"darkpurple": "#5b396b", "lightred": "#eb7d7f"}
"""Leaflet.awesome-markers colour names that are not CSS colour names."""
_TILE_NOTICE: Final[str] = (
    "Map tiles unavailable (offline?): the plan's lines and stops are drawn without the street map."
)


def self_contained_map_html(figure: folium.Map) -> str:
    """The HTML page of a folium map that loads nothing from a CDN: Leaflet, its CSS and jQuery inlined.

    folium links Leaflet, jQuery, Bootstrap, Font Awesome and Leaflet.awesome-markers from CDNs. Here the map keeps
    Leaflet and jQuery (inlined from the XStatic packages pinned in ``pyproject.toml``, Leaflet's images as data URIs)
    and drops the rest: markers drawn with ``folium.Icon`` (awesome-markers) become pins of the same colour drawn in
    CSS. Tiles still come from OpenStreetMap; without the network a notice on the map says they are unavailable.

    Raises
    ------
    ValueError
        If the page would still load a script or a stylesheet from elsewhere (an element this writer does not know).
    """
    import branca.element
    import folium
    from jinja2 import Template

    branca_element: Any = branca.element  # branca has no type hints

    for marker in _walk(figure):
        if isinstance(marker, folium.Marker) and isinstance(marker.icon, folium.Icon):
            del marker._children[marker.icon.get_name()]
            marker.set_icon(_pin(marker.icon.options, folium.DivIcon))
    notice = branca_element.MacroElement()
    notice._template = Template(
        "{% macro script(this, kwargs) %}"
        "{% for layer in this.layers %}{{ layer }}.once('tileerror', function () {"
        " var note = document.createElement('div'); note.className = 'tiles-unavailable';"
        " note.textContent = {{ this.message|tojson }};"
        " note.style.cssText = 'position:absolute;top:10px;left:50%;transform:translateX(-50%);z-index:1000;"
        "background:#fff8e1;border:1px solid #f9a825;padding:4px 10px;border-radius:4px;font:13px sans-serif';"
        " {{ this._parent.get_name() }}.getContainer().appendChild(note); });{% endfor %}"
        "{% endmacro %}"
    )
    notice.layers = [layer.get_name() for layer in _walk(figure) if isinstance(layer, folium.TileLayer)]
    notice.message = _TILE_NOTICE
    figure.add_child(notice)
    figure.default_js = []
    figure.default_css = []
    root: Any = figure.get_root()
    for index, (package, name) in enumerate(MAP_STYLES + MAP_SCRIPTS):
        element = branca_element.Element("<{{ this.tag }}>{{ this.text }}</{{ this.tag }}>")
        element.tag = "style" if name.endswith(".css") else "script"
        element.text = _vendor_text(package, name)
        root.header.add_child(element, name=f"inline_{index}_{name}")
    page = str(root.render())
    external = _EXTERNAL.findall(page)
    if external:
        raise ValueError(f"the map would load {len(external)} script(s) or stylesheet(s) from the network")
    return page


def _walk(element: Any) -> Iterator[Any]:
    yield element
    for child in list(element._children.values()):
        yield from _walk(child)


def _pin(options: dict[str, Any], div_icon: Any) -> Any:
    colour = str(options.get("marker_color", "blue"))
    colour = _MARKER_COLOURS.get(colour, colour)
    html = (
        f'<div style="width:22px;height:22px;margin:2px 5px;background:{colour};border:2px solid #fff;'
        'border-radius:50% 50% 50% 0;transform:rotate(-45deg);box-shadow:-1px 1px 3px rgba(0,0,0,.5)">'
        '<div style="width:8px;height:8px;margin:7px;border-radius:50%;background:#fff"></div></div>'
    )
    return div_icon(
        html=html, icon_size=(36, 36), icon_anchor=(18, 34), popup_anchor=(0, -30), class_name="heritage-pin"
    )


def _vendor_text(package: str, name: str) -> str:
    """One file of an XStatic package; CSS with its images as data URIs, scripts safe inside ``<script>``."""
    data = resources.files(package).joinpath("data")
    text = data.joinpath(name).read_text(encoding="utf-8")
    if name.endswith(".css"):

        def data_uri(match: re.Match[str]) -> str:
            encoded = base64.b64encode(data.joinpath(match.group(2)).read_bytes()).decode("ascii")
            return f'url("data:image/png;base64,{encoded}")'

        return _CSS_URL.sub(data_uri, text)
    return _CLOSING_SCRIPT.sub(r"<\\/\1", text)
