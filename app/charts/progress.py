"""Progress charts: lesson mastery bars, interview scores over time, a calendar of activity."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from markupsafe import Markup, escape

from app.charts.svg import svg_frame


@dataclass(frozen=True)
class Bar:
    """One lesson's row in the mastery chart."""

    label: str
    share: float  # 0..1
    detail: str  # e.g. "7 of 15 right · 3 due"


def mastery_bars(chart_id: str, bars: Sequence[Bar]) -> Markup:
    """Horizontal bars, one per lesson, filled to its mastery."""
    label_w, bar_w, row_h, top = 230, 300, 30, 8
    width, height = label_w + bar_w + 60, top + row_h * len(bars) + 4
    body = []
    for i, bar in enumerate(bars):
        y = top + i * row_h
        filled = round(bar_w * max(0.0, min(1.0, bar.share)), 1)
        body.append(
            f'<g class="bar-row"><text class="chart-label" x="{label_w - 8}" y="{y + 15}" text-anchor="end">'
            f"{escape(bar.label)}</text>"
            f'<rect class="bar-track" x="{label_w}" y="{y + 3}" width="{bar_w}" height="16" rx="3"/>'
            f'<rect class="bar-fill" x="{label_w}" y="{y + 3}" width="{filled}" height="16" rx="3">'
            f"<title>{escape(bar.label)}: {round(bar.share * 100)}% ({escape(bar.detail)})</title></rect>"
            f'<text class="chart-value" x="{label_w + bar_w + 8}" y="{y + 15}">'
            f"{round(bar.share * 100)}%</text></g>"
        )
    desc = "; ".join(f"{b.label}: {round(b.share * 100)}%" for b in bars)
    return svg_frame(chart_id, width, height, "Mastery per lesson", desc, body)


def score_line(chart_id: str, points: Sequence[tuple[datetime, float]]) -> Markup:
    """Interview scores (0..1) in time order, as a line with a dot per attempt."""
    width, height, left, right, top, bottom = 560, 200, 44, 16, 12, 30
    plot_w, plot_h = width - left - right, height - top - bottom
    body = []
    for pct in (0, 50, 100):
        y = top + plot_h * (1 - pct / 100)
        body.append(
            f'<line class="grid" x1="{left}" x2="{width - right}" y1="{y}" y2="{y}"/>'
            f'<text class="chart-axis" x="{left - 6}" y="{y + 4}" text-anchor="end">{pct}%</text>'
        )
    n = len(points)
    coords = []
    for i, (when, score) in enumerate(points):
        x = left + (plot_w * i / (n - 1) if n > 1 else plot_w / 2)
        y = top + plot_h * (1 - max(0.0, min(1.0, score)))
        coords.append((round(x, 1), round(y, 1), when, score))
    if len(coords) > 1:
        path = " ".join(f"{x},{y}" for x, y, _, _ in coords)
        body.append(f'<polyline class="score-line" fill="none" points="{path}"/>')
    for i, (x, y, when, score) in enumerate(coords, start=1):
        label = f"Attempt {i}, {when:%Y-%m-%d %H:%M} UTC: {round(score * 100)}%"
        body.append(
            f'<circle class="score-dot" cx="{x}" cy="{y}" r="4"><title>{escape(label)}</title></circle>'
        )
    if coords:
        first, last = coords[0][2], coords[-1][2]
        body.append(f'<text class="chart-axis" x="{left}" y="{height - 8}">{first:%Y-%m-%d}</text>')
        if n > 1:
            body.append(
                f'<text class="chart-axis" x="{width - right}" y="{height - 8}" text-anchor="end">'
                f"{last:%Y-%m-%d}</text>"
            )
    desc = ", ".join(f"{round(s * 100)}%" for _, s in points) if points else "No finished interview yet."
    return svg_frame(
        chart_id, width, height, "Mock-interview scores over time", f"Scores, oldest first: {desc}", body
    )


def activity_calendar(chart_id: str, counts: dict[date, int], today: date, weeks: int = 20) -> Markup:
    """A week-by-day grid of the last `weeks` weeks, darker where more questions were answered."""
    cell, gap, left, top = 12, 3, 30, 18
    start = today - timedelta(days=today.weekday() + 7 * (weeks - 1))
    width, height = left + weeks * (cell + gap) + 4, top + 7 * (cell + gap) + 4
    body = [
        f'<text class="chart-axis" x="0" y="{top + row * (cell + gap) + 10}">{name}</text>'
        for row, name in ((0, "Mon"), (2, "Wed"), (4, "Fri"))
    ]
    peak = max(counts.values(), default=0)
    day = start
    while day <= today:
        col, row = (day - start).days // 7, day.weekday()
        n = counts.get(day, 0)
        level = 0 if n == 0 else min(4, 1 + (3 * n) // max(peak, 1))
        if row == 0 and day.day <= 7:
            body.append(f'<text class="chart-axis" x="{left + col * (cell + gap)}" y="11">{day:%b}</text>')
        body.append(
            f'<rect class="day level-{level}" x="{left + col * (cell + gap)}" y="{top + row * (cell + gap)}" '
            f'width="{cell}" height="{cell}" rx="2"><title>{day:%Y-%m-%d}: {n} answer{"s" if n != 1 else ""}'
            f"</title></rect>"
        )
        day += timedelta(days=1)
    active = sum(1 for d, n in counts.items() if n and start <= d <= today)
    desc = (
        f"{active} active day{'s' if active != 1 else ''} in the last {weeks} weeks, up to {today:%Y-%m-%d}."
    )
    return svg_frame(chart_id, width, height, "Activity calendar", desc, body)
