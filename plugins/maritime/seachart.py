"""A plain position plot of the tenant's sea area as inline SVG (no tiles, no CDN, no script).

This is not a nautical chart: there is no coastline, only the sea-area box of the tenant's
settings with a graticule of whole degrees and each position drawn where its latitude and
longitude fall (equirectangular: fine for a box of a few degrees). Positions outside the box
are drawn on its edge as hollow rings. Pure functions; text is escaped here.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from html import escape

WIDTH, HEIGHT, MARGIN = 640, 480, 36


@dataclass(frozen=True)
class Point:
    """A position to draw: latitude, longitude, a label and where it links to ("" for none)."""

    latitude: float
    longitude: float
    label: str
    href: str = ""


def _step(span: float) -> float:
    # Whole degrees when the box is a few degrees wide; coarser for large boxes.
    for step in (0.5, 1, 2, 5, 10, 20):
        if span / step <= 10:
            return step
    return 30


def _ticks(low: float, high: float) -> list[float]:
    step = _step(high - low)
    first = math.ceil(low / step) * step
    count = int((high - first) // step) + 1
    return [round(first + i * step, 6) for i in range(max(count, 0))]


def render(area: Mapping[str, float], points: Iterable[Point], *, title: str) -> str:
    """The SVG of ``area`` (``sea_south``… of the settings) with ``points`` on it."""
    south, north = area["sea_south"], area["sea_north"]
    west, east = area["sea_west"], area["sea_east"]
    inner_w, inner_h = WIDTH - 2 * MARGIN, HEIGHT - 2 * MARGIN

    def x(lon: float) -> float:
        return MARGIN + (min(max(lon, west), east) - west) / (east - west) * inner_w

    def y(lat: float) -> float:
        return MARGIN + (north - min(max(lat, south), north)) / (north - south) * inner_h

    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" '
             f'class="sea-chart" role="img" aria-label="{escape(title)}">',
             f"<title>{escape(title)}</title>",
             f'<rect x="{MARGIN}" y="{MARGIN}" width="{inner_w}" height="{inner_h}" '
             'fill="#e8f1f8" stroke="#0b5394"/>']
    for lon in _ticks(west, east):
        parts.append(f'<line x1="{x(lon):.1f}" y1="{MARGIN}" x2="{x(lon):.1f}" '
                     f'y2="{HEIGHT - MARGIN}" stroke="#9fb8cc" stroke-width="0.5"/>')
        parts.append(f'<text x="{x(lon):.1f}" y="{HEIGHT - MARGIN + 16}" font-size="11" '
                     f'text-anchor="middle">{lon:g}°E</text>')
    for lat in _ticks(south, north):
        parts.append(f'<line x1="{MARGIN}" y1="{y(lat):.1f}" x2="{WIDTH - MARGIN}" '
                     f'y2="{y(lat):.1f}" stroke="#9fb8cc" stroke-width="0.5"/>')
        parts.append(f'<text x="{MARGIN - 4}" y="{y(lat) + 4:.1f}" font-size="11" '
                     f'text-anchor="end">{lat:g}°N</text>')
    for point in points:
        outside = not (south <= point.latitude <= north and west <= point.longitude <= east)
        mark = (f'<circle cx="{x(point.longitude):.1f}" cy="{y(point.latitude):.1f}" r="5" '
                + ('fill="none" stroke="#b03a2e" stroke-width="2"' if outside
                   else 'fill="#b03a2e"')
                + f"><title>{escape(point.label)}</title></circle>")
        if point.href:
            mark = f'<a href="{escape(point.href)}">{mark}</a>'
        parts.append(mark)
    parts.append("</svg>")
    return "".join(parts)
