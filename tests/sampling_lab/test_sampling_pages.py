"""The sampling lab pages: bars, cached logits, sample one, histogram, your own distribution."""

import pytest

from tests.conftest import page


def _bars(doc):
    return {
        int(g["data-token-id"]): float(g["data-prob"])
        for g in doc.select("svg.bars g.bar-row[data-token-id]")
    }


def test_slider_move_changes_the_bars_without_a_new_forward_pass(client, app):
    cache = app.state.logits_cache
    warm = page(client.get("/playground/sampling", params={"prompt": "The cat"}))
    misses = cache.misses
    hot = page(
        client.get(
            "/playground/sampling",
            params={"prompt": "The cat", "temperature": 0.2},
            headers={"HX-Request": "true"},
        )
    )
    assert hot.select_one("html") is None  # the partial, not the page
    assert cache.misses == misses and cache.hits >= 1  # same prompt: logits from the cache
    assert _bars(warm) != _bars(hot)


def test_top_k_greys_out_removed_tokens(client):
    doc = page(client.get("/playground/sampling", params={"prompt": "The cat", "top_k": 3}))
    assert len(doc.select("g.bar-row.is-removed")) == len(doc.select("g.bar-row[data-token-id]")) - 3
    assert doc.select_one('[data-stat="nucleus"]').get_text().startswith("3 of")


def test_slider_state_round_trips_through_the_url(client):
    doc = page(
        client.get(
            "/playground/sampling", params={"prompt": "Hi", "temperature": 0.7, "top_p": 0.9, "seed": 5}
        )
    )
    form = doc.select_one("form.sampling-widget")
    assert form.select_one("#sampling-temperature")["value"] == "0.7"
    assert form.select_one("#sampling-top_p")["value"] == "0.9"
    assert form.select_one("input[name=seed]")["value"] == "5"
    assert form["hx-replace-url"] == "true"


def test_sample_one_appends_to_the_prompt_and_updates_the_url(client):
    response = client.get(
        "/playground/sampling/sample-one",
        params={"prompt": "The cat", "seed": 1},
        headers={"HX-Request": "true"},
    )
    doc = page(response)
    new_prompt = doc.select_one("textarea[hx-swap-oob]").get_text()
    assert new_prompt.startswith("The cat") and len(new_prompt) >= len("The cat")
    assert response.headers["HX-Replace-Url"].startswith("/playground/sampling?")


def test_histogram_counts_one_hundred_draws(client):
    doc = page(
        client.get("/playground/sampling/histogram", params={"prompt": "The cat", "top_k": 5, "seed": 3})
    )
    drawn = [int(td["data-drawn"]) for td in doc.select("td[data-drawn]")]
    assert sum(drawn) == 100  # top-k 5: every draw lands on a shown token


def test_histogram_is_reproducible_with_a_seed(client):
    params = {"prompt": "The cat", "seed": 11}
    first = client.get("/playground/sampling/histogram", params=params).text
    assert client.get("/playground/sampling/histogram", params=params).text == first


def test_own_distribution_shows_the_module_worked_example(client):
    doc = page(
        client.get(
            "/playground/sampling/custom",
            params={"probs": "0.40, 0.25, 0.15, 0.10, 0.05, 0.03, 0.02", "top_p": 0.8},
        )
    )
    assert doc.select_one(".stage-summary")["data-kept"] == "3"
    doc = page(
        client.get(
            "/playground/sampling/custom",
            params={"probs": "0.40, 0.25, 0.15, 0.10, 0.05, 0.03, 0.02", "top_p": 0.95},
        )
    )
    assert doc.select_one(".stage-summary")["data-kept"] == "5"


@pytest.mark.parametrize(
    "params",
    [
        {"probs": "0.5, 0.6"},
        {"probs": "a, b"},
        {"probs": "1.0", "top_p": 0},
        {"probs": "0.5,0.5", "counts": "1"},
    ],
)
def test_own_distribution_bad_input_is_422_with_a_message(client, params):
    response = client.get("/playground/sampling/custom", params=params, headers={"HX-Request": "true"})
    assert response.status_code == 422
    assert page(response).select_one(".error-message").get_text()


def test_out_of_range_slider_is_422_and_never_500(client):
    response = client.get("/playground/sampling", params={"temperature": 9}, headers={"HX-Request": "true"})
    assert response.status_code == 422
    assert "temperature" in page(response).select_one(".error-message").get_text()


def test_page_stream_generates_with_finish_reason(client):
    response = client.get("/playground/sampling/stream", params={"prompt": "The", "max_tokens": 3, "seed": 2})
    assert response.status_code == 200
    assert "event: end" in response.text and '"finish_reason": "length"' in response.text


def test_long_prompt_is_cut_from_the_left_with_a_notice(client, app):
    long_prompt = "cat " * (app.state.lab_model.config.context_length * 2)
    doc = page(client.get("/playground/sampling", params={"prompt": long_prompt}))
    assert "cut from the left" in doc.select_one(".notice").get_text()


def test_key_parameters_lesson_embeds_sliders_and_worked_example(client):
    doc = page(client.get("/lessons/key-parameters"))
    assert doc.select_one(".lesson-extra form.sampling-widget svg.bars") is not None
    own = doc.select_one(".lesson-extra form.own-widget")
    assert own.select_one(".stage-summary")["data-kept"] == "3"  # 0.40+0.25+0.15 reaches top-p 0.80
    assert not doc.select_one(".lesson-extra form.sampling-widget").has_attr("hx-replace-url")


def test_page_prompt_over_its_url_limit_is_refused_clearly(client):
    response = client.get(
        "/playground/sampling", params={"prompt": "x" * 5_001}, headers={"HX-Request": "true"}
    )
    assert response.status_code == 422
    assert "5000" in page(response).select_one(".error-message").get_text()
