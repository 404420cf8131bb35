"""Line charts: ticks that cover the data, one polyline per curve, guides, a legend that fits."""

import pytest
from bs4 import BeautifulSoup

from app.charts.curves import Guide, Series, line_chart, nice_ticks


@pytest.mark.parametrize(
    ("low", "high", "expected"),
    [
        (0.3, 8.4, [0.0, 2.5, 5.0, 7.5, 10.0]),
        (5.0, 8.32, [5.0, 6.0, 7.0, 8.0, 9.0]),  # the top tick is above the highest value
        (0.0, 0.693, [0.0, 0.2, 0.4, 0.6, 0.8]),
        (-5.44, 13.5, [-10.0, -5.0, 0.0, 5.0, 10.0, 15.0]),
    ],
)
def test_ticks_cover_the_range_with_round_numbers(low, high, expected):
    assert nice_ticks(low, high) == expected


def svg(markup) -> BeautifulSoup:
    """Parse a chart."""
    return BeautifulSoup(str(markup), "html.parser")


def test_every_point_is_inside_the_plot_and_each_curve_is_one_polyline():
    chart = svg(
        line_chart(
            "c",
            "Loss",
            [
                Series("train", [(1, 8.3), (2, 6.0), (3, 5.1)], "curve-train"),
                Series("val", [(3, 5.5)], "curve-val"),
            ],
            [Guide("unigram", 6.67, "guide-unigram")],
            x_max=10,
        )
    )
    train = chart.select_one("g.series.curve-train")
    assert train["data-points"] == "3" and len(train.select("polyline")) == 1
    assert len(chart.select("g.series.curve-val circle")) == 1  # a lone point is drawn as a dot
    ys = [float(pair.split(",")[1]) for pair in train.polyline["points"].split()]
    top, bottom = 12, 240 - 74
    assert all(top <= y <= bottom for y in ys)
    assert chart.select_one("g.guide.guide-unigram")["data-value"] == "6.6700"
    assert chart.select_one("svg")["role"] == "img" and not chart.select("[style]")


def test_a_long_legend_wraps_instead_of_running_off_the_chart():
    many = [Series(f"a rather long curve name {i}", [(0, i)], f"curve-{i}") for i in range(4)]
    chart = svg(line_chart("c", "Many", many, width=400))
    rows = {item.find("text")["y"] for item in chart.select("g.legend-item")}
    assert len(rows) > 1
    for item in chart.select("g.legend-item"):
        assert float(item.line["x2"]) <= 400
