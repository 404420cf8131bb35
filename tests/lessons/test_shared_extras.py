"""Lesson extras rendered once for every learner: each learner still gets their own token and quiz."""

import json

from markupsafe import Markup
from starlette.requests import Request

from app.lessons.extras import LessonExtras
from app.templating import CSRF_PLACEHOLDER, _page_context, page_csrf_token
from tests.conftest import page


def _learner_page(client, path: str):
    doc = page(client.get(path))
    token = json.loads(doc.select_one("body")["hx-headers"])["X-CSRF-Token"]
    return doc, token


def test_two_learners_get_their_own_token_and_quiz_on_a_page_of_cached_widgets(app):
    from fastapi.testclient import TestClient

    path = "/lessons/key-parameters"  # sliders and the worked example (shared) and a quiz (per learner)
    with TestClient(app) as first, TestClient(app) as second:
        _learner_page(first, path)  # fills the cache of shared extras
        pages = {name: _learner_page(client, path) for name, client in (("a", first), ("b", second))}
        again = _learner_page(first, path)  # served from the cache a second time, to the first learner

    (doc_a, token_a), (doc_b, token_b) = pages["a"], pages["b"]
    assert token_a and token_b and token_a != token_b
    for doc, token in (*pages.values(), again):
        html = str(doc)
        assert CSRF_PLACEHOLDER not in html
        fields = [field["value"] for field in doc.select("input[name=csrf_token]")]
        assert fields and set(fields) == {token}  # every form on the page carries this learner's token
    assert doc_a.select(".sampling-widget") and doc_b.select(
        ".sampling-widget"
    )  # the cached widgets are there
    # The quiz is the learner's own: its submission keys, and the numbers of its generated questions.
    keys_a = {i["value"] for i in doc_a.select(".lesson-quiz input[name=submission_key]")}
    keys_b = {i["value"] for i in doc_b.select(".lesson-quiz input[name=submission_key]")}
    assert keys_a and keys_b and not keys_a & keys_b
    seeds_a = [i["value"] for i in doc_a.select(".lesson-quiz input[name=seed]")]
    seeds_b = [i["value"] for i in doc_b.select(".lesson-quiz input[name=seed]")]
    assert seeds_a and seeds_a != seeds_b
    assert seeds_a == [i["value"] for i in again[0].select(".lesson-quiz input[name=seed]")]  # kept per try


def test_a_form_from_a_cached_widget_posts_with_the_learner_s_token(client):
    doc, _ = _learner_page(client, "/lessons/model-families")
    form = doc.select_one("form.costs-form")
    fields = {
        i["name"]: i.get("value", "") for i in form.select("input[name]") if i.get("type") != "checkbox"
    }
    response = client.post(form["action"], data=fields)
    assert response.status_code == 200, response.text[:300]


def _request(app, learner_id: str) -> Request:
    request = Request({"type": "http", "app": app, "headers": [], "method": "GET", "path": "/"})
    request.state.learner_id = learner_id
    return request


def test_a_shared_extra_renders_once_and_each_request_gets_its_own_token(app):
    calls = []

    form = app.state.templates.env.from_string(
        '<form><input name="csrf_token" value="{{ csrf_token }}"></form>'
    )

    def widget(request: Request) -> Markup:
        calls.append(request)
        return Markup(form.render(_page_context(request)))  # the token as every template gets it

    extras = LessonExtras()
    extras.register("lesson", "anchor", widget, shared=True)
    one, two = _request(app, "a" * 32), _request(app, "b" * 32)
    html_one = extras.render_for("lesson", one)["anchor"][0]
    html_two = extras.render_for("lesson", two)["anchor"][0]
    assert len(calls) == 1
    assert page_csrf_token(one) in html_one and page_csrf_token(two) in html_two
    assert page_csrf_token(one) not in html_two and CSRF_PLACEHOLDER not in html_one + html_two


def test_an_unshared_extra_renders_for_every_request(app):
    calls = []
    extras = LessonExtras()
    extras.register("lesson", "anchor", lambda request: calls.append(1) or Markup("x"))
    for _ in range(3):
        extras.render_for("lesson", _request(app, "a" * 32))
    assert len(calls) == 3


def test_a_shared_extra_waiting_on_a_background_load_is_not_cached_until_it_is_ready(app):
    loaded = {"ready": False}
    calls = []

    def widget(request: Request) -> Markup:
        calls.append(1)
        return Markup("ready" if loaded["ready"] else "loading")

    extras = LessonExtras()
    extras.register("lesson", "anchor", widget, shared=True, ready=lambda request: loaded["ready"])
    request = _request(app, "a" * 32)
    assert extras.render_for("lesson", request)["anchor"] == ["loading"]
    assert extras.render_for("lesson", request)["anchor"] == ["loading"]
    loaded["ready"] = True
    assert extras.render_for("lesson", request)["anchor"] == ["ready"]
    assert extras.render_for("lesson", request)["anchor"] == ["ready"]
    assert len(calls) == 3  # twice while loading, once when ready, then from the cache


def test_shared_tables_are_cached_too(app):
    calls = []
    extras = LessonExtras()
    extras.replace_table(
        "lesson", "anchor", 0, lambda request: calls.append(1) or Markup("<table/>"), shared=True
    )
    for _ in range(3):
        assert extras.tables_for("lesson", _request(app, "a" * 32)) == {("anchor", 0): "<table/>"}
    assert len(calls) == 1
