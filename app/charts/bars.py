"""Horizontal bar charts: a row per item, each bar a stack of coloured segments, optional marks and a band.

Used by the cost calculator (input, cached input and output stacked per model) and the price-ratio chart
(a bar per model, a mark for a second source, the module's claimed range as a shaded band). Colours are
classes (static/css), so light and dark themes both work and the CSP's no-inline-style rule holds.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field

from markupsafe import Markup, escape

from app.charts.svg import svg_frame

LABEL_W, BAR_W, VALUE_W, ROW_H, BAR_H, TOP, AXIS_H = 150, 340, 200, 26, 16, 6, 22


@dataclass(frozen=True)
class Segment:
    """One coloured part of a bar."""

    value: float
    css_class: str
    label: str  # shown on hover (<title>)


@dataclass(frozen=True)
class Mark:
    """A thin vertical tick on a row at a value, e.g. a second source's figure."""

    value: float
    css_class: str
    label: str


@dataclass(frozen=True)
class BarRow:
    """One row: its label, its stacked segments, the text after the bar, and a key for tests and scripts."""

    label: str
    segments: tuple[Segment, ...]
    value_text: str
    key: str = ""
    marks: tuple[Mark, ...] = field(default_factory=tuple)
    css_class: str = ""

    @property
    def total(self) -> float:
        """The bar's length in value units."""
        return sum(segment.value for segment in self.segments)


def _x(value: float, scale: float) -> float:
    return round(LABEL_W + BAR_W * min(value, scale) / scale, 2) if scale > 0 else LABEL_W


def _row(i: int, row: BarRow, scale: float) -> str:
    y = TOP + i * ROW_H
    parts = [
        f'<g class="bar-row {escape(row.css_class)}" data-key="{escape(row.key)}">',
        f'<text class="chart-label" x="{LABEL_W - 8}" y="{y + 13}" text-anchor="end">'
        f"{escape(row.label)}</text>",
        f'<rect class="bar-track" x="{LABEL_W}" y="{y}" width="{BAR_W}" height="{BAR_H}" rx="2"/>',
    ]
    start = 0.0
    for segment in row.segments:
        x0, x1 = _x(start, scale), _x(start + segment.value, scale)
        # A non-zero part is at least half a pixel wide, so a tiny cost still shows that it exists.
        width = max(round(x1 - x0, 2), 0.5 if segment.value > 0 else 0)
        parts.append(
            f'<rect class="bar-segment {escape(segment.css_class)}" x="{x0}" y="{y}" width="{width}" '
            f'height="{BAR_H}" data-value="{segment.value:.10g}">'
            f"<title>{escape(segment.label)}</title></rect>"
        )
        start += segment.value
    for mark in row.marks:
        x = _x(mark.value, scale)
        parts.append(
            f'<rect class="bar-mark {escape(mark.css_class)}" x="{round(x - 1.5, 2)}" y="{y - 2}" width="3" '
            f'height="{BAR_H + 4}" data-value="{mark.value:.10g}"><title>{escape(mark.label)}</title></rect>'
        )
    parts.append(
        f'<text class="chart-value" x="{LABEL_W + BAR_W + 8}" y="{y + 13}">'
        f"{escape(row.value_text)}</text></g>"
    )
    return "".join(parts)


def stacked_bars(
    chart_id: str,
    rows: Sequence[BarRow],
    *,
    title: str,
    desc: str,
    scale: float | None = None,
    band: tuple[float, float] | None = None,
    band_label: str = "",
    axis_label: str = "",
) -> Markup:
    """Rows of stacked bars on one linear scale (the longest bar or mark, or `scale`), in the order given."""
    scale = scale or max([row.total for row in rows] + [m.value for row in rows for m in row.marks] + [0.0])
    if band is not None:
        scale = max(scale, band[1])
    height = TOP + ROW_H * len(rows) + AXIS_H
    body = [_row(i, row, scale) for i, row in enumerate(rows)]
    if band is not None:  # drawn over the bars, translucent, so the tracks do not hide it
        x0, x1 = _x(band[0], scale), _x(band[1], scale)
        body.append(
            f'<g class="bar-band-group"><rect class="bar-band" x="{x0}" y="0" width="{round(x1 - x0, 2)}" '
            f'height="{height - AXIS_H}"><title>{escape(band_label)}</title></rect>'
            f'<line class="bar-band-edge" x1="{x0}" x2="{x0}" y1="0" y2="{height - AXIS_H}"/>'
            f'<line class="bar-band-edge" x1="{x1}" x2="{x1}" y1="0" y2="{height - AXIS_H}"/></g>'
        )
    axis_y = TOP + ROW_H * len(rows) + 14
    body.append(
        f'<text class="chart-axis" x="{LABEL_W}" y="{axis_y}">0</text>'
        f'<text class="chart-axis" x="{LABEL_W + BAR_W}" y="{axis_y}" text-anchor="end">'
        f"{escape(axis_label)}</text>"
    )
    return svg_frame(chart_id, LABEL_W + BAR_W + VALUE_W, height, title, desc, body)
