"""app/charts/bars.py: stacked horizontal bars on one scale, with marks and a shaded band."""

import pytest
from bs4 import BeautifulSoup

from app.charts.bars import BAR_W, LABEL_W, BarRow, Mark, Segment, stacked_bars


def svg(markup) -> BeautifulSoup:
    """Parse a chart."""
    return BeautifulSoup(str(markup), "html.parser")


ROWS = [
    BarRow("cheap", (Segment(1.0, "seg-input", "in"), Segment(1.0, "seg-output", "out")), "$2", key="a"),
    BarRow("dear", (Segment(2.0, "seg-input", "in"), Segment(6.0, "seg-output", "out")), "$8", key="b"),
]


def test_segments_stack_on_one_scale_set_by_the_longest_bar():
    doc = svg(stacked_bars("c", ROWS, title="Costs", desc="two rows"))
    rows = doc.select("g.bar-row")
    assert [row["data-key"] for row in rows] == ["a", "b"]
    dear = rows[1].select("rect.bar-segment")
    assert [float(r["x"]) for r in dear] == [LABEL_W, LABEL_W + BAR_W * 2 / 8]
    assert sum(float(r["width"]) for r in dear) == pytest.approx(BAR_W)  # the longest bar fills the track
    cheap = rows[0].select("rect.bar-segment")
    assert sum(float(r["width"]) for r in cheap) == pytest.approx(BAR_W / 4)
    assert [r.select_one("title").get_text() for r in cheap] == ["in", "out"]


def test_the_chart_is_an_accessible_picture():
    doc = svg(stacked_bars("c", ROWS, title="Costs", desc="two rows"))
    frame = doc.select_one("svg")
    assert frame["role"] == "img" and frame["aria-labelledby"] == "c-title c-desc"
    assert doc.select_one("title#c-title").get_text() == "Costs"


def test_a_tiny_value_still_shows_and_zero_does_not():
    rows = [
        BarRow("big", (Segment(1000.0, "s", ""),), ""),
        BarRow("tiny", (Segment(1e-6, "s", ""), Segment(0, "s", "")), ""),
    ]
    widths = [
        float(r["width"])
        for r in svg(stacked_bars("c", rows, title="t", desc="d"))
        .select("g.bar-row")[1]
        .select("rect.bar-segment")
    ]
    assert widths == [0.5, 0]


def test_band_and_marks_widen_the_scale_and_sit_at_their_values():
    rows = [BarRow("r", (Segment(4.0, "s", ""),), "4x", marks=(Mark(5.0, "m", "module"),))]
    doc = svg(stacked_bars("c", rows, title="t", desc="d", band=(2, 6), band_label="2-6x"))
    band = doc.select_one("rect.bar-band")
    assert float(band["x"]) == pytest.approx(LABEL_W + BAR_W * 2 / 6, abs=0.01)
    assert float(band["width"]) == pytest.approx(BAR_W * 4 / 6, abs=0.02)
    mark = doc.select_one("rect.bar-mark")
    assert float(mark["x"]) + 1.5 == pytest.approx(LABEL_W + BAR_W * 5 / 6, abs=0.01)


def test_labels_are_escaped():
    rows = [BarRow("<b>x</b>", (Segment(1.0, "s", "<i>"),), "&")]
    doc = svg(stacked_bars("c", rows, title="t", desc="d"))
    assert doc.select_one("text.chart-label").get_text() == "<b>x</b>" and doc.select_one("b") is None
