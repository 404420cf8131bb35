"""The shared line chart (app/charts/series.py)."""

import pytest
from bs4 import BeautifulSoup

from app.charts.series import Series, line_chart, nice_ceiling


@pytest.mark.parametrize(
    ("value", "ceiling"), [(23.3, 25.0), (0.7, 1.0), (0, 1.0), (100, 100.0), (101, 200.0)]
)
def test_nice_ceiling(value, ceiling):
    assert nice_ceiling(value) == ceiling


def test_line_chart_draws_one_polyline_per_series_scaled_to_the_axis():
    svg = BeautifulSoup(
        line_chart("c", ["a", "b", "c"], [Series("one", [0, 10, 20], "x"), Series("two", [5, 5, 5], "y")],
                   title="T", desc="D", width=200, height=100),
        "html.parser",
    )  # fmt: skip
    lines = svg.select("polyline")
    assert [line["class"] for line in lines] == [["x"], ["y"]]
    ys = [float(point.split(",")[1]) for point in lines[0]["points"].split()]
    assert ys[0] > ys[1] > ys[2]  # higher values sit higher on the page
    assert svg.select_one("svg")["role"] == "img" and svg.select_one("title").get_text() == "T"
    assert [t.get_text() for t in svg.select("text.chart-axis")][-3:] == ["a", "b", "c"]


def test_a_series_of_the_wrong_length_is_an_error():
    with pytest.raises(ValueError, match="2 values for 3"):
        line_chart("c", ["a", "b", "c"], [Series("one", [1, 2])], title="T", desc="D")
