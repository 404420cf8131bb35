"""A stacked horizontal bar: parts of one capacity (a context window's tokens), with what overflows it.

The bar is drawn to the larger of the capacity and the parts' sum, so an overflow sticks out past a marked
edge instead of being squeezed in. A part may have a cut: the tokens a policy would drop, drawn hatched at
the side they go from (the oldest history at its start, the last documents at its end).
"""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from markupsafe import Markup, escape

from app.charts.svg import svg_frame

BAR_W, BAR_H, LEFT, TOP = 640, 34, 8, 26
# A part of a few tokens in a million-token window would be invisible: draw it at least this wide.
MIN_VISIBLE = 2.0


@dataclass(frozen=True)
class Segment:
    """One part of the bar."""

    key: str  # a class name: stack-<key> colours it
    label: str
    value: int
    cut: int = 0  # of `value`, the part a policy would drop
    cut_side: Literal["start", "end"] = "start"


def _n(value: int) -> str:
    return f"{value:,}"


def _widths(segments: Sequence[Segment], scale: float) -> list[float]:
    """Each segment's width in pixels, with tiny non-empty parts widened to stay visible."""
    return [0.0 if s.value <= 0 else max(MIN_VISIBLE, s.value / scale * BAR_W) for s in segments]


def stacked_bar(
    chart_id: str, *, segments: Sequence[Segment], capacity: int, title: str, unit: str = "tokens"
) -> Markup:
    """The parts side by side on a bar of `capacity`; free room as a track, overflow past a marked edge."""
    used = sum(s.value for s in segments)
    scale = max(capacity, used, 1)
    width, height = LEFT * 2 + BAR_W, TOP + BAR_H + 30
    edge = LEFT + capacity / scale * BAR_W
    body = [
        f'<rect class="stack-free" x="{LEFT}" y="{TOP}" width="{edge - LEFT:.2f}" height="{BAR_H}" rx="3">'
        f"<title>Window: {_n(capacity)} {unit}; free: {_n(max(0, capacity - used))}</title></rect>"
    ]
    x = float(LEFT)
    for segment, w in zip(segments, _widths(segments, scale), strict=True):
        if w == 0:
            continue
        tip = f"{segment.label}: {_n(segment.value)} {unit}"
        body.append(
            f'<rect class="stack-part stack-{escape(segment.key)}" data-part="{escape(segment.key)}" '
            f'data-tokens="{segment.value}" x="{x:.2f}" y="{TOP}" width="{w:.2f}" height="{BAR_H}">'
            f"<title>{escape(tip)}</title></rect>"
        )
        if segment.cut > 0:
            cut_w = max(MIN_VISIBLE, segment.cut / segment.value * w)
            cut_x = x if segment.cut_side == "start" else x + w - cut_w
            body.append(
                f'<rect class="stack-cut" data-part="{escape(segment.key)}" data-cut="{segment.cut}" '
                f'x="{cut_x:.2f}" y="{TOP}" width="{cut_w:.2f}" height="{BAR_H}">'
                f"<title>{escape(segment.label)}: {_n(segment.cut)} {unit} would be cut</title></rect>"
            )
        x += w
    body.append(
        f'<line class="stack-edge" x1="{edge:.2f}" x2="{edge:.2f}" y1="{TOP - 6}" y2="{TOP + BAR_H + 6}"/>'
        f'<text class="chart-axis" x="{LEFT}" y="{TOP - 10}">0</text>'
        f'<text class="chart-axis" x="{edge:.2f}" y="{TOP - 10}" text-anchor="end">'
        f"window {_n(capacity)}</text>"
    )
    if used > capacity:
        body.append(
            f'<text class="stack-over-label" x="{LEFT + BAR_W}" y="{TOP + BAR_H + 22}" text-anchor="end">'
            f"{_n(used - capacity)} over</text>"
        )
    else:
        body.append(
            f'<text class="chart-axis" x="{LEFT + BAR_W}" y="{TOP + BAR_H + 22}" text-anchor="end">'
            f"{_n(capacity - used)} free</text>"
        )
    desc = "; ".join(f"{s.label} {_n(s.value)}" for s in segments) + (
        f". {_n(used)} of {_n(capacity)} {unit}"
        + (f", {_n(used - capacity)} over." if used > capacity else ".")
    )
    return svg_frame(chart_id, width, height, title, desc, body)
