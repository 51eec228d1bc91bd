"""Chart geometry for server-rendered SVG: pure functions from numbers to shapes.

Nothing here writes markup: a template (``dashboard/_charts.html``) draws the shapes, so every
label — a mediator's name, a tenant's category — goes through Jinja's autoescaping like any
other text. Charts scale with their ``viewBox``; bars are drawn on a common scale from 0 so
that lengths compare honestly, and every chart comes with a data table of the same numbers.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

#: Longest label drawn inside a chart (the table under it gives the full text).
LABEL_CHARS = 12


@dataclass(frozen=True)
class Item:
    """One value to draw: its label, the number and the number as the reader reads it."""

    label: str
    value: float
    text: str


@dataclass(frozen=True)
class Bar:
    """A drawn bar: the rectangle, where its label and value go, and the item it shows."""

    item: Item
    x: float
    y: float
    width: float
    height: float
    label: str  # shortened to fit
    label_x: float
    label_y: float
    value_x: float
    value_y: float


@dataclass(frozen=True)
class Chart:
    """Shapes of one chart: ``kind`` is ``bars`` (horizontal) or ``columns`` (vertical)."""

    kind: str
    width: float
    height: float
    bars: tuple[Bar, ...]
    baseline: tuple[float, float, float, float]  # x1, y1, x2, y2 of the zero axis
    shown: int  # how many items are drawn
    total: int  # how many there were


def shorten(label: str, limit: int = LABEL_CHARS) -> str:
    """``label`` cut to ``limit`` characters with an ellipsis."""
    return label if len(label) <= limit else label[: limit - 1] + "…"


def _scale(items: Sequence[Item]) -> float:
    top = max((i.value for i in items), default=0.0)
    return top if top > 0 else 1.0


def bars(items: Sequence[Item], *, limit: int = 15, width: float = 640, row: float = 28,
         label_width: float = 180, value_width: float = 70, keep_order: bool = False,
         label_chars: int = LABEL_CHARS) -> Chart:
    """Horizontal bars, largest first (``keep_order``: in the order given, as a funnel's stages),
    at most ``limit`` of them (the rest in the table).

    Negative values are drawn as 0 (the figures drawn are counts and shares).
    """
    ordered = list(items) if keep_order else sorted(items, key=lambda i: -i.value)
    drawn = ordered[:limit]
    scale = _scale(drawn)
    room = width - label_width - value_width
    shapes = []
    for index, item in enumerate(drawn):
        y = index * row + 4
        length = max(item.value, 0.0) / scale * room
        shapes.append(Bar(item, label_width, y, length, row - 8, shorten(item.label, label_chars),
                          label_width - 6, y + (row - 8) / 2, label_width + length + 6,
                          y + (row - 8) / 2))
    height = max(len(drawn), 1) * row
    return Chart("bars", width, height, tuple(shapes),
                 (label_width, 0, label_width, height), len(drawn), len(items))


def columns(items: Sequence[Item], *, width: float = 640, height: float = 220,
            label_height: float = 36, value_height: float = 18, gap: float = 0.25) -> Chart:
    """Vertical columns in the order given (months, oldest first)."""
    scale = _scale(items)
    count = max(len(items), 1)
    slot = width / count
    room = height - label_height - value_height
    base = height - label_height
    shapes = []
    for index, item in enumerate(items):
        length = max(item.value, 0.0) / scale * room
        x = index * slot + slot * gap / 2
        shapes.append(Bar(item, x, base - length, slot * (1 - gap), length,
                          shorten(item.label, 8), x + slot * (1 - gap) / 2, base + 16,
                          x + slot * (1 - gap) / 2, base - length - 4))
    return Chart("columns", width, height, tuple(shapes), (0, base, width, base),
                 len(items), len(items))


def describe(chart: Chart, separator: str = ", ") -> str:
    """The drawn numbers as one sentence for the chart's ``<desc>`` ("label value, …")."""
    return separator.join(f"{b.item.label} {b.item.text}" for b in chart.bars)
