"""A labelled scatter plot: points with a short label beside each and a tooltip, zero lines, axis titles."""

from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

from app.charts.svg import svg_frame


@dataclass(frozen=True)
class ScatterPoint:
    """One point: where it is, the label drawn beside it, and the tooltip's longer text."""

    x: float
    y: float
    label: str
    detail: str


def _span(values: Sequence[float]) -> tuple[float, float]:
    low, high = min(values), max(values)
    if high - low < 1e-12:  # all equal: a unit span around them
        return low - 1.0, high + 1.0
    pad = (high - low) * 0.08
    return low - pad, high + pad


def _free_line(x: float, y: float, placed: list[tuple[float, float]], step: float = 13.0) -> float:
    """A label's baseline, moved a line at a time (down, or up for a negative step) until it clears the
    labels already placed near it: points that nearly coincide would print their labels on one another."""
    while any(abs(x - ox) < 40 and abs(y - oy) < abs(step) for ox, oy in placed):
        y += step
    placed.append((x, y))
    return round(y, 1)


def scatter_plot(
    chart_id: str,
    points: Sequence[ScatterPoint],
    *,
    title: str,
    desc: str,
    x_label: str,
    y_label: str,
    equal_aspect: bool = False,
    width: int = 520,
    height: int = 380,
) -> Markup:
    """The points in a frame with zero lines; `equal_aspect` gives both axes the same scale (for PCA)."""
    left, right, top, bottom = 28, 16, 12, 28
    plot_w, plot_h = width - left - right, height - top - bottom
    xs, ys = [p.x for p in points] or [0.0], [p.y for p in points] or [0.0]
    (x0, x1), (y0, y1) = _span(xs), _span(ys)
    if equal_aspect:
        per_px = max((x1 - x0) / plot_w, (y1 - y0) / plot_h)
        cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
        x0, x1 = cx - per_px * plot_w / 2, cx + per_px * plot_w / 2
        y0, y1 = cy - per_px * plot_h / 2, cy + per_px * plot_h / 2

    def px(x: float) -> float:
        return round(left + (x - x0) / (x1 - x0) * plot_w, 1)

    def py(y: float) -> float:
        return round(top + (y1 - y) / (y1 - y0) * plot_h, 1)

    body = [f'<rect class="plot-area" x="{left}" y="{top}" width="{plot_w}" height="{plot_h}"/>']
    if x0 < 0 < x1:
        body.append(
            f'<line class="grid zero-line" x1="{px(0)}" x2="{px(0)}" y1="{top}" y2="{top + plot_h}"/>'
        )
    if y0 < 0 < y1:
        body.append(
            f'<line class="grid zero-line" x1="{left}" x2="{left + plot_w}" y1="{py(0)}" y2="{py(0)}"/>'
        )
    placed: list[tuple[float, float]] = []
    labels = []
    for i, point in enumerate(points):
        x, y = px(point.x), py(point.y)
        anchor = "end" if x > left + plot_w * 0.8 else "start"
        dx = -9 if anchor == "end" else 9
        label_y = _free_line(x + dx, y + 4, placed, step=-13.0 if y > top + plot_h / 2 else 13.0)
        body.append(
            f'<g class="scatter-point" data-index="{i}" data-x="{point.x:.6f}" data-y="{point.y:.6f}">'
            f'<circle cx="{x}" cy="{y}" r="6"/><title>{escape(point.detail)}</title></g>'
        )
        labels.append(
            f'<text class="chart-label scatter-label" data-index="{i}" x="{x + dx}" y="{label_y}" '
            f'text-anchor="{anchor}">{escape(point.label)}</text>'
        )
    body.extend(labels)  # after every point, so no point hides another one's label
    body.append(
        f'<text class="chart-axis" x="{left + plot_w / 2}" y="{height - 8}" text-anchor="middle">'
        f"{escape(x_label)} →</text>"
        f'<text class="chart-axis" x="0" y="0" transform="translate(16 {top + plot_h / 2}) rotate(-90)" '
        f'text-anchor="middle">{escape(y_label)} →</text>'
    )
    return svg_frame(chart_id, width, height, title, desc, body)
