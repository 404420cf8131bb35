"""A vertical column chart: one labelled column per value, its number on top (turn-by-turn growth, ratios)."""

from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

from app.charts.svg import svg_frame

PLOT_H, TOP, BOTTOM, LEFT = 150, 22, 34, 8
# Columns keep a readable width for a few values and shrink, down to a floor, for many.
MAX_COL_W, MIN_COL_W, GAP = 56, 14, 8


@dataclass(frozen=True)
class Column:
    """One column: its axis label, value and a tooltip."""

    label: str
    value: float
    detail: str = ""


def _short(value: float) -> str:
    """A column's number: whole numbers with thousands separators, fractions to two significant digits."""
    if value == int(value):
        return f"{int(value):,}"
    return f"{value:.2g}"


def column_chart(
    chart_id: str, *, columns: Sequence[Column], title: str, desc: str, css: str = "col-fill"
) -> Markup:
    """Columns scaled to the largest value; each keeps a one-pixel stub so a tiny value is still seen."""
    n = max(1, len(columns))
    col_w = max(MIN_COL_W, min(MAX_COL_W, 600 // n - GAP))
    width = LEFT * 2 + n * (col_w + GAP)
    height = TOP + PLOT_H + BOTTOM
    peak = max([c.value for c in columns] + [1e-12])
    body = [f'<line class="grid" x1="{LEFT}" x2="{width - LEFT}" y1="{TOP + PLOT_H}" y2="{TOP + PLOT_H}"/>']
    show_values = col_w >= 30
    for i, column in enumerate(columns):
        h = max(1.0, column.value / peak * PLOT_H) if column.value > 0 else 0.0
        x = LEFT + i * (col_w + GAP) + GAP / 2
        tip = column.detail or f"{column.label}: {_short(column.value)}"
        body.append(
            f'<rect class="{escape(css)}" data-value="{column.value:g}" '
            f'x="{x:.1f}" y="{TOP + PLOT_H - h:.2f}" '
            f'width="{col_w}" height="{h:.2f}"><title>{escape(tip)}</title></rect>'
            f'<text class="chart-axis" x="{x + col_w / 2:.1f}" y="{TOP + PLOT_H + 16}" text-anchor="middle">'
            f"{escape(column.label)}</text>"
        )
        if show_values:
            body.append(
                f'<text class="chart-value" x="{x + col_w / 2:.1f}" y="{TOP + PLOT_H - h - 5:.2f}" '
                f'text-anchor="middle">{escape(_short(column.value))}</text>'
            )
    return svg_frame(chart_id, width, height, title, desc, body)
