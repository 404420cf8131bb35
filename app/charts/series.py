"""Line charts over a row of named steps: several series sharing one x axis (layers, steps, epochs).

Each series is a polyline with a class, so its colour and weight come from the stylesheet; many faint
series (one per token, say) can sit under one or two emphasised ones.
"""

import math
from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

from app.charts.svg import svg_frame


@dataclass(frozen=True)
class Series:
    """One line: a value per x label, a name for its tooltip, and a CSS class for its look."""

    label: str
    values: Sequence[float]
    css_class: str = "series"


def nice_ceiling(value: float) -> float:
    """The smallest of 1, 2, 2.5 or 5 times a power of ten that is >= value (an axis maximum).

    Example: ``nice_ceiling(23.3) -> 25.0``; ``nice_ceiling(0.7) -> 1.0``; ``nice_ceiling(0) -> 1.0``
    """
    if value <= 0:
        return 1.0
    power = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        if step * power >= value * (1 - 1e-12):
            return step * power
    raise AssertionError("unreachable")


def line_chart(
    chart_id: str,
    x_labels: Sequence[str],
    series: Sequence[Series],
    *,
    title: str,
    desc: str,
    y_label: str = "",
    width: int = 640,
    height: int = 260,
) -> Markup:
    """An accessible SVG line chart; the y axis runs from 0 to a round number above every value."""
    if not x_labels:
        raise ValueError("a line chart needs at least one x label")
    left, right, top, bottom = 52, 16, 14, 44
    plot_w, plot_h = width - left - right, height - top - bottom
    peak = nice_ceiling(max((v for s in series for v in s.values), default=0.0))
    n = len(x_labels)

    def x_at(i: int) -> float:
        return round(left + (plot_w * i / (n - 1) if n > 1 else plot_w / 2), 1)

    def y_at(value: float) -> float:
        return round(top + plot_h * (1 - max(0.0, value) / peak), 1)

    body = []
    for k in range(5):
        value = peak * k / 4
        y = y_at(value)
        body.append(
            f'<line class="grid" x1="{left}" x2="{width - right}" y1="{y}" y2="{y}"/>'
            f'<text class="chart-axis" x="{left - 6}" y="{y + 4}" text-anchor="end">{value:g}</text>'
        )
    every = max(1, math.ceil(n / 12))  # at most about a dozen labels under the axis
    for i, label in enumerate(x_labels):
        if i % every == 0 or i == n - 1:
            anchor = "end" if i == n - 1 and n > 1 else "middle"  # the last label stays inside the frame
            body.append(
                f'<text class="chart-axis" x="{x_at(i)}" y="{height - bottom + 16}" text-anchor="{anchor}">'
                f"{escape(label)}</text>"
            )
    if y_label:
        body.append(f'<text class="chart-axis" x="{left}" y="{height - 6}">{escape(y_label)}</text>')
    for s in series:
        if len(s.values) != n:
            raise ValueError(f"series {s.label!r} has {len(s.values)} values for {n} x labels")
        points = " ".join(f"{x_at(i)},{y_at(v)}" for i, v in enumerate(s.values))
        body.append(
            f'<polyline class="{escape(s.css_class)}" fill="none" points="{points}">'
            f"<title>{escape(s.label)}</title></polyline>"
        )
    return svg_frame(chart_id, width, height, title, desc, body)
