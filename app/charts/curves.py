"""Line charts of numbers over steps: training curves with horizontal reference lines.

Each series is a polyline (and optionally a dot per point) with its own class, so the stylesheets
colour it; a guide is a dashed horizontal line with its label, such as a baseline loss to beat.
"""

import math
from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

from app.charts.svg import svg_frame


@dataclass(frozen=True)
class Series:
    """One curve: (x, y) points in x order."""

    name: str
    points: Sequence[tuple[float, float]]
    css: str  # class of the line, e.g. "curve-train"
    dots: bool = False


@dataclass(frozen=True)
class Guide:
    """A horizontal reference line across the plot."""

    name: str
    value: float
    css: str


def nice_ticks(low: float, high: float, count: int = 5) -> list[float]:
    """Round tick values from at or below ``low`` to at or above ``high``, about ``count`` of them.

    Example: ``nice_ticks(0.3, 8.4) -> [0.0, 2.5, 5.0, 7.5, 10.0]``
    """
    if not high > low:
        high = low + 1.0
    raw = (high - low) / max(1, count - 1)
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    first = math.floor(low / step + 1e-9) * step
    last = math.ceil(high / step - 1e-9) * step
    return [round(first + i * step, 10) for i in range(round((last - first) / step) + 1)]


def _label(value: float) -> str:
    return f"{value:g}" if abs(value) >= 0.01 or value == 0 else f"{value:.1e}"


def line_chart(
    chart_id: str,
    title: str,
    series: Sequence[Series],
    guides: Sequence[Guide] = (),
    *,
    x_max: float | None = None,
    x_label: str = "step",
    y_label: str = "loss",
    width: int = 560,
    height: int = 240,
) -> Markup:
    """Curves over a shared x axis from 0 to ``x_max`` (or the last point), with guides and a legend."""
    left, right, top, bottom = 48, 16, 12, 74
    plot_w, plot_h = width - left - right, height - top - bottom
    xs = [x for s in series for x, _ in s.points]
    ys = [y for s in series for _, y in s.points if math.isfinite(y)] + [g.value for g in guides]
    x_hi = max([x_max or 0.0, *xs, 1.0])
    y_ticks = nice_ticks(min(ys, default=0.0), max(ys, default=1.0))
    y_lo, y_hi = y_ticks[0], y_ticks[-1]

    def px(x: float) -> float:
        return round(left + plot_w * x / x_hi, 1)

    def py(y: float) -> float:
        return round(top + plot_h * (1 - (y - y_lo) / (y_hi - y_lo)), 1)

    body = []
    for tick in y_ticks:
        body.append(
            f'<line class="grid" x1="{left}" x2="{width - right}" y1="{py(tick)}" y2="{py(tick)}"/>'
            f'<text class="chart-axis" x="{left - 6}" y="{py(tick) + 4}" text-anchor="end">'
            f"{_label(tick)}</text>"
        )
    for tick in nice_ticks(0, x_hi, 6):
        if tick <= x_hi:
            body.append(
                f'<text class="chart-axis" x="{px(tick)}" y="{top + plot_h + 16}" text-anchor="middle">'
                f"{_label(tick)}</text>"
            )
    body.append(
        f'<text class="chart-axis" x="{left + plot_w / 2}" y="{top + plot_h + 30}" text-anchor="middle">'
        f"{escape(x_label)}</text>"
        f'<text class="chart-axis" x="12" y="{top + plot_h / 2}" text-anchor="middle" '
        f'transform="rotate(-90 12 {top + plot_h / 2})">{escape(y_label)}</text>'
    )
    for guide in guides:
        y = py(guide.value)
        body.append(
            f'<g class="guide {guide.css}" data-value="{guide.value:.4f}">'
            f'<line x1="{left}" x2="{width - right}" y1="{y}" y2="{y}"/>'
            f"<title>{escape(guide.name)}: {guide.value:.3f}</title></g>"
        )
    for s in series:
        finite = [(x, y) for x, y in s.points if math.isfinite(y)]
        coords = " ".join(f"{px(x)},{py(y)}" for x, y in finite)
        body.append(f'<g class="series {s.css}" data-points="{len(finite)}"><title>{escape(s.name)}</title>')
        if len(finite) > 1:
            body.append(f'<polyline fill="none" points="{coords}"/>')
        if s.dots or len(finite) == 1:
            body.extend(f'<circle cx="{px(x)}" cy="{py(y)}" r="3"/>' for x, y in finite)
        body.append("</g>")
    body.extend(_legend(series, guides, left, top + plot_h + 46, width - right))
    last = [f"{s.name} {s.points[-1][1]:.3f} at {x_label} {s.points[-1][0]:g}" for s in series if s.points]
    desc = "; ".join(last + [f"{g.name} {g.value:.3f}" for g in guides]) or "No points yet."
    return svg_frame(chart_id, width, height, title, desc, body)


def _legend(series: Sequence[Series], guides: Sequence[Guide], x: int, y: int, width: int) -> list[str]:
    """Legend entries left to right, wrapping to a second row when the first is full."""
    items = [(s.name, f"series {s.css}") for s in series] + [(g.name, f"guide {g.css}") for g in guides]
    out, cursor, row_y = [], x, y
    for name, css in items:
        item_width = 30 + 6 * len(name)
        if cursor > x and cursor + item_width > width:
            cursor, row_y = x, row_y + 16
        out.append(
            f'<g class="legend-item {css}">'
            f'<line x1="{cursor}" x2="{cursor + 18}" y1="{row_y - 4}" y2="{row_y - 4}"/>'
            f'<text class="chart-axis" x="{cursor + 22}" y="{row_y}">{escape(name)}</text></g>'
        )
        cursor += item_width
    return out
