"""The training playground and lesson: the three demos, the card's curve, the behaviour links, bad input."""

import json
from types import SimpleNamespace

import pytest

from app.config import ROOT
from app.training.service import card_curve
from tests.conftest import page

from .conftest import FORMS, start_run


def test_the_page_has_three_demos_with_forms_and_empty_panels(client):
    doc = page(client.get("/playground/training"))
    for kind in ("pretrain", "sft", "dpo"):
        demo = doc.select_one(f"section#demo-{kind}")
        form = demo.select_one("form.training-form")
        assert form["hx-post"] == f"/playground/training/runs/{kind}"
        assert form["hx-target"] == f"#{kind}-run"
        assert demo.select_one(f"#{kind}-run .run-view")["data-state"] == "idle"
    assert doc.select_one("nav[aria-label='Main'] a[aria-current='page']").get_text() == "Training"


def test_the_pretraining_panel_draws_the_baselines_before_any_run(app, client):
    training = app.state.training
    doc = page(client.get("/playground/training"))
    chart = doc.select_one("#demo-pretrain svg#pretrain-loss")
    uniform, unigram = training.baselines
    assert float(chart.select_one(".guide.guide-unigram")["data-value"]) == pytest.approx(unigram, abs=1e-4)
    assert float(chart.select_one(".guide.guide-uniform")["data-value"]) == pytest.approx(uniform, abs=1e-4)
    assert chart.select_one(".series.curve-train")["data-points"] == "0"
    text = " ".join(doc.select_one("#demo-pretrain").get_text(" ").split())
    assert f"{len(training.corpus.train):,} training tokens" in text  # what it trains on, counted


def test_the_sft_demo_shows_the_chat_template_and_its_pairs(app, client):
    doc = page(client.get("/playground/training"))
    assert doc.select_one("#demo-sft pre.chat-template").get_text() == (
        "User: {instruction}\nAssistant: {response}<|endoftext|>"
    )
    assert len(doc.select("#demo-sft dl.pairs dt")) == len(app.state.training.content.sft_pairs)
    assert len(doc.select("#demo-dpo table.preference-pairs tbody tr")) == len(
        app.state.training.content.preferences
    )
    assert doc.select_one("#demo-dpo .alignment-notes")  # what RLHF and Constitutional AI add


def test_the_card_curve_draws_the_checkpoints_periodic_points():
    card = json.loads((ROOT / "models" / "lab-small" / "card.json").read_text())
    curve = card_curve(SimpleNamespace(card=card))
    history = card["training"]["history"]
    assert curve.points == len(history) == 8 and curve.eval_interval == 250
    assert f'data-points="{len(history)}"' in str(curve.chart)
    assert f'data-value="{card["evaluation"]["unigram_loss"]:.4f}"' in str(curve.chart)


def test_a_card_without_history_says_so(client):
    doc = page(client.get("/playground/training"))  # the tiny test model's card records no training
    assert "records no training curve" in doc.select_one("#card-curve .notice").get_text()


ANCHORS = {
    "stage-1-pre-training-next-token-prediction": ["demo-pretrain", "card-curve"],
    "stage-2-supervised-fine-tuning-sft": ["demo-sft"],
    "stage-3-alignment-rlhf--dpo--constitutional-ai": ["demo-dpo"],
    "why-training-explains-behavior": ["behaviours"],
}


def test_the_lesson_places_each_demo_after_its_stage(app, client):
    doc = page(client.get("/lessons/training-pipeline"))
    toc = {entry.anchor for entry in app.state.course.lesson("training-pipeline").rendered.toc}
    for anchor, ids in ANCHORS.items():
        heading = doc.find(id=anchor)
        found = []
        for element in heading.find_all_next():
            if element.get("id") in toc:
                break  # the next section of the lesson
            if element.name == "section" and "lesson-extra" in element.parent.get("class", []):
                found.append(element["id"])
        assert found[: len(ids)] == ids, anchor  # (the lesson quiz follows the last section)


def test_every_behaviour_row_links_to_a_demo_on_the_same_page(client):
    doc = page(client.get("/lessons/training-pipeline"))
    rows = doc.select("#behaviours table.behaviour-links tbody tr")
    module_table = doc.find(id="why-training-explains-behavior").find_next("table")  # the module's own table
    module_rows = [tr.select_one("td").get_text(strip=True) for tr in module_table.select("tbody tr")]
    assert [tr.select_one("th").get_text(strip=True) for tr in rows] == module_rows
    for row in rows:
        target = row.select_one("a")["href"]
        assert target.startswith("#demo-") and doc.select_one(target), target


def test_the_behaviour_links_on_the_playground_point_at_its_demos(client):
    doc = page(client.get("/playground/training"))
    for link in doc.select("#behaviours table.behaviour-links a"):
        assert link["href"].startswith("/playground/training#demo-")
        assert doc.select_one(link["href"].split("/playground/training", 1)[1])


@pytest.mark.parametrize(
    ("kind", "changes", "field"),
    [
        ("pretrain", {"steps": "0"}, "steps"),
        ("pretrain", {"steps": "many"}, "steps"),
        ("pretrain", {"learning_rate": "-1"}, "learning_rate"),
        ("pretrain", {"seconds": "1e9"}, "seconds"),
        ("pretrain", {"seconds": "nan"}, "seconds"),
        ("sft", {"question": ""}, "question"),
        ("sft", {"question": "x" * 201}, "question"),
        ("dpo", {"beta": "0"}, "beta"),
        ("dpo", {"sft_steps": "100000"}, "sft_steps"),
        ("dpo", {"seed": "-3"}, "seed"),
    ],
)
def test_bad_config_is_a_422_naming_the_field(app, client, kind, changes, field):
    response = start_run(client, kind, **changes)
    assert response.status_code == 422
    message = page(response).select_one(".error-message").get_text()
    assert message.startswith(f"{field}:")
    assert app.state.training.runs.counts() == {"running": 0, "waiting": 0, "reserved": 0}


def test_starting_a_run_needs_the_csrf_token(client):
    client.get("/")
    response = client.post("/playground/training/runs/pretrain", data=FORMS["pretrain"])
    assert response.status_code == 403


def test_a_start_returns_the_run_panel_partial(client):
    response = start_run(client, "pretrain")
    assert response.status_code == 200
    doc = page(response)
    assert not doc.select("html, body")  # a partial for htmx, not a page
    panel = doc.select_one(".training-run")
    assert panel["data-training-stream"].endswith("/stream")
    assert doc.select_one("button[data-role='cancel']")["hx-post"].endswith("/cancel")
    assert doc.select_one(".run-view[data-kind='pretrain']")


def test_a_second_start_by_the_same_learner_while_one_runs_is_409(app, client):
    app.state.training.step_cap = 100_000  # long enough to still be running at the second start
    first = start_run(client, "pretrain", steps="5000")
    assert first.status_code == 200
    url = page(first).select_one(".training-run")["data-training-stream"]
    with client.stream("GET", url) as stream:  # claimed: the run is live
        next(stream.iter_lines())
        second = start_run(client, "sft")
        assert second.status_code == 409
        assert "already have a training run" in page(second).select_one(".error-message").get_text()


def test_a_stream_that_is_not_yours_is_404(app, client):
    response = start_run(client, "pretrain")
    url = page(response).select_one(".training-run")["data-training-stream"]
    from fastapi.testclient import TestClient

    stranger = TestClient(app)
    stranger.get("/")
    assert stranger.get(url).status_code == 404
    assert client.get("/playground/training/runs/nosuchrun/stream").status_code == 404


def test_a_first_visit_gets_a_learner_and_a_csrf_token_that_starts_a_run(client):
    response = client.get("/playground/training")  # the very first request of this browser
    token = json.loads(page(response).select_one("body")["hx-headers"])["X-CSRF-Token"]
    assert token and "set-cookie" in response.headers
    started = client.post(
        "/playground/training/runs/pretrain", data=FORMS["pretrain"], headers={"X-CSRF-Token": token}
    )
    assert started.status_code == 200
