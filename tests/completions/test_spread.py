"""Twenty samples of one prompt from a real (tiny) transformer: spread, T = 0, seeds, page and lesson."""

import pytest

from app.completions.service import Group, distinct_prefixes, group_texts, sample_spread
from app.lm.sampling import SamplingParams
from tests.conftest import page

HX = {"HX-Request": "true"}


@pytest.fixture
def lab(app):
    """The tiny checkpoint the test app loaded."""
    return app.state.lab_model


def spread(lab, temperature: float, seed: int = 7, max_tokens: int = 6):
    """Twenty samples of the fixture prompt."""
    return sample_spread(
        lab=lab,
        prompt="The cat sat",
        params=SamplingParams(temperature=temperature),
        max_tokens=max_tokens,
        seed=seed,
    )


def test_group_texts_counts_and_orders_most_frequent_first():
    assert group_texts((1, 2, 3, 4), ("a", "b", "a", "c")) == (
        Group("a", 2, (1, 3)),
        Group("b", 1, (2,)),
        Group("c", 1, (4,)),
    )


@pytest.mark.parametrize(
    ("ids", "k", "expected"),
    [([[1, 2], [1, 3], [1, 2]], 2, (1, 2)), ([[5], [6]], 1, (2,)), ([[1, 2, 3], [1, 2]], 3, (1, 1, 2))],
)
def test_distinct_prefixes(ids, k, expected):
    assert distinct_prefixes(ids, k) == expected


def test_temperature_one_spreads_and_counts_add_up(lab):
    s = spread(lab, 1.0)
    assert len(s.seeds) == 20 and s.seeds == tuple(range(7, 27))
    assert sum(g.count for g in s.groups) == 20 and sum(n for _, n in s.first_tokens) == 20
    assert len(s.groups) > 1  # a random tiny model at T = 1 does not repeat itself 20 times
    assert list(s.divergence) == sorted(s.divergence) and s.divergence[-1] == len(s.groups)


def test_temperature_zero_gives_one_answer_for_every_seed(lab):
    s = spread(lab, 1.0)
    assert len(s.greedy_groups) == 1 and s.greedy_groups[0].count == 20
    assert len(spread(lab, 0.0).groups) == 1


def test_same_seed_same_text_other_seed_other_text(lab):
    first, again, other = spread(lab, 1.0, seed=7), spread(lab, 1.0, seed=7), spread(lab, 1.0, seed=1000)
    assert first.texts == again.texts and first.same_seed_same_text
    assert first.rerun_text == first.texts[0]
    assert first.texts != other.texts and first.other_seed_differs


def test_page_partial_shows_twenty_samples_grouped(client):
    params = {"prompt": "The cat", "temperature": 1.0, "max_tokens": 4, "seed": 3}
    doc = page(client.get("/playground/completions", params=params, headers=HX))
    assert doc.select_one("html") is None
    counts = [int(row["data-count"]) for row in doc.select("table.spread-groups tbody tr")]
    assert sum(counts) == 20 and counts == sorted(counts, reverse=True)
    assert int(doc.select_one(".spread-summary")["data-distinct"]) == len(counts)
    assert doc.select_one(".spread-greedy")["data-distinct"] == "1"
    assert doc.select_one('[data-check="same-seed"]')["data-result"] == "same"
    assert len(doc.select("svg#spread-divergence rect.col-fill")) == 4


def test_full_page_renders_the_form_and_the_samples(client):
    doc = page(client.get("/playground/completions"))
    assert (
        doc.select_one("form.spread-widget textarea[name=prompt]").get_text() == "The President of the United"
    )
    assert doc.select_one("table.spread-groups") is not None


@pytest.mark.parametrize(
    "params",
    [
        {"temperature": 2.5},
        {"temperature": -1},
        {"max_tokens": 13},
        {"max_tokens": 0},
        {"prompt": "x" * 1001},
    ],
)
def test_bad_settings_are_422_with_a_message(client, params):
    response = client.get("/playground/completions", params=params, headers=HX)
    assert response.status_code == 422 and page(response).select_one(".error-message")


def test_mental_models_lesson_loads_the_samples_after_section_one(client):
    doc = page(client.get("/lessons/mental-models"))
    form = doc.select_one(".lesson-extra form.spread-widget")
    assert form.find_previous(["h2", "h3", "h4"])["id"] == "1-llms-are-probabilistic-text-completers"
    lazy = form.select_one("#lesson-spread-result")
    assert lazy["hx-trigger"] == "load" and lazy["hx-get"] == "/playground/completions"
    assert form.select_one('input[name="embedded"]')["value"] == "true"
