"""The chart kinds the embeddings widgets draw: a labelled matrix heatmap and a scatter plot (app/charts)."""

import pytest
from bs4 import BeautifulSoup

from app.charts.matrix import diverging_colour, legend_stops, matrix_heatmap, short_label
from app.charts.scatter import ScatterPoint, scatter_plot


@pytest.mark.parametrize(
    ("value", "colour"),
    [(0.0, "#f7fbff"), (1.0, "#08306b"), (-1.0, "#a63603"), (2.0, "#08306b"), (0.5, "#8096b5")],
)
def test_diverging_colour(value, colour):
    assert diverging_colour(value) == colour


def test_short_label_cuts_long_text_with_an_ellipsis():
    assert short_label("abcdef", 4) == "abc…"
    assert short_label("  two\nlines ", 20) == "two lines"


def test_matrix_heatmap_draws_every_cell_with_its_value_and_labels():
    svg = BeautifulSoup(
        matrix_heatmap("m", ["alpha", "beta <b>"], [[1.0, -0.25], [-0.25, 1.0]], title="T", desc="D"),
        "html.parser",
    )
    cells = svg.select("g.matrix-cell")
    assert [(c["data-row"], c["data-col"]) for c in cells] == [("0", "0"), ("0", "1"), ("1", "0"), ("1", "1")]
    assert [c.select_one("text").text for c in cells] == ["1.00", "-0.25", "-0.25", "1.00"]
    assert cells[1].select_one("rect")["fill"] == diverging_colour(-0.25)
    assert cells[1].select_one("title").text == "alpha ↔ beta <b>: -0.25"
    labels = svg.select("text.matrix-row-label")
    assert [label.contents[0] for label in labels] == ["1. alpha", "2. beta <b>"]
    assert not svg.select("b"), "labels are escaped, not markup"
    assert svg.select_one("svg")["role"] == "img" and svg.select_one("title").text == "T"


def test_legend_stops_run_from_minus_one_to_one():
    assert [value for value, _ in legend_stops()] == [-1.0, -0.5, 0.0, 0.5, 1.0]


def test_scatter_places_points_by_their_coordinates():
    points = [ScatterPoint(-1.0, 0.0, "left", "L"), ScatterPoint(1.0, 0.5, "right", "R")]
    svg = BeautifulSoup(
        scatter_plot("s", points, title="T", desc="D", x_label="PC1", y_label="PC2", equal_aspect=True),
        "html.parser",
    )
    left, right = (float(c["cx"]) for c in svg.select("g.scatter-point circle"))
    low, high = (float(c["cy"]) for c in svg.select("g.scatter-point circle"))
    assert left < right and high < low  # y grows upwards on the page
    assert [t.text for t in svg.select("text.scatter-label")] == ["left", "right"]
    assert svg.select("line.zero-line")  # both axes cross zero


def test_scatter_with_equal_aspect_keeps_one_scale_for_both_axes():
    points = [ScatterPoint(0.0, 0.0, "a", "a"), ScatterPoint(1.0, 1.0, "b", "b")]
    svg = BeautifulSoup(
        scatter_plot("s", points, title="T", desc="D", x_label="x", y_label="y", equal_aspect=True),
        "html.parser",
    )
    (x0, y0), (x1, y1) = ((float(c["cx"]), float(c["cy"])) for c in svg.select("circle"))
    assert abs(x1 - x0) == pytest.approx(abs(y1 - y0), abs=0.2)
