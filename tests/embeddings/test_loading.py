"""While all-MiniLM-L6-v2 loads in the background the lab serves: /healthz answers, the embedding widgets and
free-text grading say "loading" and retry by themselves, the API answers 503 + Retry-After; then all work."""

import threading
import time

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from app.embeddings import router, search
from app.embeddings.model import EmbeddingModelError
from app.main import create_app
from app.quiz.models import Answer
from tests.conftest import csrf_token, page
from tests.quiz.helpers import question_form

HX = {"HX-Request": "true"}
FREE_TEXT = "The model sees tokens, not characters, so it cannot count letters; spell it out."


@pytest.fixture
def loading_client(held_encoder, settings):
    """A client of a lab whose MiniLM is still loading (until held_encoder.release is set)."""
    app = create_app(settings)
    with TestClient(app) as client:
        yield client


@pytest.fixture
def loading_quiz_client(held_encoder, quiz_settings):
    """A client of the fixture-bank lab (it has a free-text question) whose MiniLM is still loading."""
    app = create_app(quiz_settings)
    with TestClient(app) as client:
        yield client


def test_healthz_answers_while_the_encoder_is_still_loading(loading_client, held_encoder):
    started = time.perf_counter()
    response = loading_client.get("/healthz")
    assert response.status_code == 200 and response.json() == {"status": "ok"}
    assert time.perf_counter() - started < 1.0
    handle = loading_client.app.state.sentence_encoder
    assert held_encoder.called.wait(timeout=5) and held_encoder.calls == 1  # the load began...
    assert not handle.ready  # ...and has not finished


@pytest.mark.parametrize(
    ("path", "body"),
    [("/api/embeddings/similarity", {"texts": ["a", "b"]}), ("/api/search", {"query": "tokens"})],
)
def test_api_answers_503_with_retry_after_while_loading(loading_client, path, body):
    response = loading_client.post(path, json=body)
    assert response.status_code == 503
    assert response.headers["retry-after"] == "1"
    assert "still loading" in response.json()["detail"]


@pytest.mark.parametrize(
    ("method", "path", "data"),
    [
        ("get", "/playground/embeddings/compare?a=x&b=y", None),
        ("get", "/playground/embeddings/example", None),
        ("post", "/playground/embeddings/matrix", {"texts": "a\nb"}),
        ("get", "/playground/embeddings/search?q=tokens", None),
        ("get", "/playground/embeddings/attention?text=hi", None),
    ],
)
def test_widgets_say_loading_and_ask_again_by_themselves(loading_client, method, path, data):
    headers = {**HX, "X-CSRF-Token": csrf_token(loading_client, "/playground/embeddings")}
    response = loading_client.request(method.upper(), path, data=data, headers=headers)
    assert response.status_code == 200
    loading = page(response).select_one("div.emb-loading[role=status]")
    assert loading[f"hx-{method}"] == path.split("?")[0]  # the same widget, with the form's current inputs
    assert loading["hx-trigger"] == "load delay:1s" and loading["hx-include"] == "closest form"
    assert loading["hx-target"] == "closest .widget-result"
    assert "still loading" in loading.get_text()


def test_pages_render_at_once_with_every_widget_loading(loading_client):
    for path in ("/playground/embeddings", "/lessons/embeddings"):
        doc = page(loading_client.get(path))
        assert len(doc.select("form.widget .widget-result > div.emb-loading")) == 5, path


def test_widgets_answer_once_the_encoder_is_ready(loading_client, held_encoder):
    held_encoder.release.set()
    loading_client.app.state.sentence_encoder.wait(timeout=60)
    loading_client.app.state.search_index.wait(timeout=120)
    doc = page(loading_client.get("/playground/embeddings/compare?a=x&b=y", headers=HX))
    assert doc.select_one('.emb-metric[data-metric="cosine"]') and not doc.select(".emb-loading")
    assert loading_client.post("/api/search", json={"query": "tokens"}).status_code == 200


def _answers(client) -> int:
    with client.app.state.sessionmaker() as db:
        return db.scalar(select(func.count()).select_from(Answer))


def test_free_text_grading_waits_and_reposts_the_answer_by_itself(loading_quiz_client, held_encoder):
    client = loading_quiz_client
    form = question_form(client, "fx-free-text")
    response = client.post(
        "/quiz/questions/fx-free-text/answer", data={**form, "text": FREE_TEXT}, headers=HX
    )
    assert response.status_code == 200
    card = page(response).select_one("article.question-card.is-grading#q-fx-free-text")
    retry = card.select_one("form.grader-loading")
    assert (
        retry["hx-post"] == "/quiz/questions/fx-free-text/answer" and retry["hx-trigger"] == "load delay:1s"
    )
    assert retry["hx-target"] == "closest .question-card" and retry["hx-swap"] == "outerHTML"
    fields = {field["name"]: field["value"] for field in retry.select("input[type=hidden]")}
    assert fields["submission_key"] == form["submission_key"] and fields["context"] == "lesson"
    assert retry.select_one("textarea[name=text]").get_text() == FREE_TEXT
    assert "still loading" in card.get_text()
    assert _answers(client) == 0  # nothing is saved until it is graded

    held_encoder.release.set()
    client.app.state.sentence_encoder.wait(timeout=60)
    data = {**fields, "text": FREE_TEXT}
    graded = client.post(retry["hx-post"], data=data, headers={**HX, "X-CSRF-Token": fields["csrf_token"]})
    assert graded.status_code == 200 and not page(graded).select(".grader-loading")
    assert _answers(client) == 1


def test_other_questions_never_wait_for_the_encoder(loading_quiz_client):
    form = question_form(loading_quiz_client, "fx-single")
    response = loading_quiz_client.post(
        "/quiz/questions/fx-single/answer", data={**form, "choice": "0"}, headers=HX
    )
    assert response.status_code == 200 and not page(response).select(".grader-loading")
    assert _answers(loading_quiz_client) == 1


def test_a_plain_form_gets_a_503_asking_to_send_again(loading_quiz_client):
    form = question_form(loading_quiz_client, "fx-free-text")
    response = loading_quiz_client.post(
        "/quiz/questions/fx-free-text/answer", data={**form, "text": FREE_TEXT}
    )
    assert response.status_code == 503 and response.headers["retry-after"] == "1"
    assert "send your answer again" in page(response).select_one(".error-message").get_text()


def test_a_mock_interview_answer_waits_in_place(loading_quiz_client):
    client = loading_quiz_client
    data = {"csrf_token": csrf_token(client, "/mock"), "types": ["free_text"], "count": "1", "minutes": "15"}
    attempt_id = int(
        client.post("/mock", data=data, follow_redirects=False).headers["location"].rsplit("/", 1)[1]
    )
    card = page(client.get(f"/mock/{attempt_id}")).select_one("#mock-item article.question-card")
    fields = {f["name"]: f["value"] for f in card.select("input[type=hidden]")}
    response = client.post(f"/mock/{attempt_id}/answer", data={**fields, "text": FREE_TEXT}, headers=HX)
    item = page(response).select_one("div#mock-item")
    retry = item.select_one("form.grader-loading")
    assert retry["hx-post"] == f"/mock/{attempt_id}/answer" and retry["hx-target"] == "#mock-item"
    assert retry.select_one('input[name="position"]')["value"] == fields["position"]
    assert _answers(client) == 0


def test_a_failed_load_is_said_in_the_widget_and_the_api(monkeypatch, settings):
    def broken():  # noqa: ANN202
        raise EmbeddingModelError("model.safetensors is 12 bytes: not the model's weights")

    monkeypatch.setattr("app.main.load_sentence_encoder", broken)
    app = create_app(settings)
    with TestClient(app) as client:
        with pytest.raises(EmbeddingModelError):
            app.state.sentence_encoder.wait(timeout=10)
        with pytest.raises(EmbeddingModelError, match="12 bytes"):  # the index needed the encoder
            app.state.search_index.wait(timeout=10)
        doc = page(client.get("/playground/embeddings"))
        assert len(doc.select(".widget-result > .notice.error-message")) == 5
        partial = client.get("/playground/embeddings/compare?a=x&b=y", headers=HX)
        assert (
            partial.status_code == 503 and "12 bytes" in page(partial).select_one(".error-message").get_text()
        )
        api = client.post("/api/embeddings/similarity", json={"texts": ["a", "b"]})
        assert api.status_code == 503 and "12 bytes" in api.json()["detail"]
        assert client.get("/healthz").status_code == 200


@pytest.fixture
def held_index(monkeypatch):
    """Apps created after this fixture build the lesson search index only once `held_index.set()`."""
    release = threading.Event()
    real_build = search.build_index

    def build_when_released(**kwargs):
        if not release.wait(timeout=60):
            raise TimeoutError("the test never released the search index")
        return real_build(**kwargs)

    monkeypatch.setattr(search, "build_index", build_when_released)
    yield release
    release.set()  # let the background thread finish


def test_the_lesson_s_minilm_widgets_are_drawn_once_while_the_index_still_builds(
    held_index, sentence_encoder, settings, monkeypatch
):
    computed = []
    real_compute = router.compute_example

    def compute_example(*args, **kwargs):
        computed.append(1)
        return real_compute(*args, **kwargs)

    monkeypatch.setattr(router, "compute_example", compute_example)
    app = create_app(settings)
    with TestClient(app) as client:
        app.state.sentence_encoder.wait(timeout=60)
        for _ in range(3):
            doc = page(client.get("/lessons/embeddings"))
        assert not app.state.search_index.ready
        assert len(doc.select("form.widget .widget-result > div.emb-loading")) == 1  # only the search
        assert computed == [1]  # the example was computed for the first render only
