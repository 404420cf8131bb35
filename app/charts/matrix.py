"""A labelled matrix heatmap: one coloured cell per (row, column) with its value written in it.

For similarity matrices and anything else in [-1, 1] (or [0, 1]): a diverging scale, orange below zero,
paper at zero, blue above, so a negative similarity never looks like a small positive one.
"""

from collections.abc import Sequence

from markupsafe import Markup, escape

from app.charts.svg import svg_frame

PAPER = (247, 251, 255)
POSITIVE = (8, 48, 107)
NEGATIVE = (166, 54, 3)
LABEL_CHARS = 26  # row labels are cut here (the full text is in each cell's tooltip)


def diverging_colour(value: float, limit: float = 1.0) -> str:
    """Hex colour of a value in [-limit, limit]: orange below zero, paper at zero, blue above.

    Example: ``diverging_colour(0.0) -> '#f7fbff'``; ``diverging_colour(1.0) -> '#08306b'``
    """
    t = max(-1.0, min(1.0, value / limit)) if limit else 0.0
    end = POSITIVE if t >= 0 else NEGATIVE
    r, g, b = (round(lo + (hi - lo) * abs(t)) for lo, hi in zip(PAPER, end, strict=True))
    return f"#{r:02x}{g:02x}{b:02x}"


def ink_class(value: float, limit: float = 1.0) -> str:
    """The class of a cell's text: light ink on a dark cell, dark ink on a pale one."""
    return "cell-ink-light" if abs(value / limit if limit else 0.0) > 0.5 else "cell-ink-dark"


def short_label(text: str, limit: int = LABEL_CHARS) -> str:
    """A label cut to `limit` characters with an ellipsis: ``short_label("abcdef", 4) -> 'abc…'``."""
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"


def matrix_heatmap(
    chart_id: str,
    labels: Sequence[str],
    values: Sequence[Sequence[float]],
    *,
    title: str,
    desc: str,
    value_format: str = "{:.2f}",
    limit: float = 1.0,
) -> Markup:
    """An n x n heatmap: rows labelled "i  text", columns "i"; each cell coloured and showing its value."""
    n = len(labels)
    cell = 52 if n <= 6 else 44
    left = 36 + 7 * max((len(short_label(label)) for label in labels), default=0)
    top = 26
    width, height = left + n * cell + 8, top + n * cell + 8
    body = []
    for i, label in enumerate(labels):
        body.append(
            f'<text class="chart-axis" x="{left + i * cell + cell / 2}" y="{top - 8}" text-anchor="middle">'
            f"{i + 1}</text>"
            f'<text class="chart-label matrix-row-label" x="{left - 8}" y="{top + i * cell + cell / 2 + 4}" '
            f'text-anchor="end">{i + 1}. {escape(short_label(label))}<title>{escape(label)}</title></text>'
        )
    for i, row in enumerate(values):
        for j, value in enumerate(row):
            x, y = left + j * cell, top + i * cell
            shown = value_format.format(value)
            body.append(
                f'<g class="matrix-cell" data-row="{i}" data-col="{j}" data-value="{value:.6f}">'
                f'<rect x="{x}" y="{y}" width="{cell}" height="{cell}" '
                f'fill="{diverging_colour(value, limit)}"/>'
                f'<text class="{ink_class(value, limit)}" x="{x + cell / 2}" y="{y + cell / 2 + 4}" '
                f'text-anchor="middle">{shown}</text>'
                f"<title>{escape(short_label(labels[i], 60))} ↔ {escape(short_label(labels[j], 60))}: {shown}"
                f"</title></g>"
            )
    return svg_frame(chart_id, width, height, title, desc, body)


def legend_stops(limit: float = 1.0, steps: int = 5) -> list[tuple[float, str]]:
    """(value, colour) pairs from -limit to limit for a legend."""
    return [
        (
            round(-limit + 2 * limit * i / (steps - 1), 6),
            diverging_colour(-limit + 2 * limit * i / (steps - 1), limit),
        )
        for i in range(steps)
    ]
