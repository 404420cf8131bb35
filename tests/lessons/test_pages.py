"""Lesson and home pages, asserted through the parsed HTML."""

import pytest

from tests.conftest import csrf_token, page


def test_home_lists_nine_lessons_linked_in_order(client):
    doc = page(client.get("/"))
    links = [a["href"] for a in doc.select(".course-map .lesson-card h3 a")]
    assert len(links) == 9
    assert links[0] == "/lessons/transformer-architecture"
    assert links[-1] == "/lessons/mental-models"


def test_lesson_renders_tables_code_and_diagrams(client):
    doc = page(client.get("/lessons/transformer-architecture"))
    assert doc.select_one("h1#lesson-title").get_text() == "Transformer Architecture"
    table = doc.select_one(".lesson-body > table")  # the course text's, not a lesson extra's
    assert [th.get_text() for th in table.select("thead th")] == ["Architecture", "Models", "Key Difference"]
    diagram = doc.select(".lesson-body pre code")[0].get_text()
    assert "|       Transformer Block  (x N)          |" in diagram  # alignment kept, spaces and all
    toc = [a["href"] for a in doc.select("nav.toc a")]
    assert "#architecture-overview" in toc
    assert all(doc.select_one(href) is not None for href in toc)  # every TOC entry points at a heading


def test_lesson_page_has_sidebar_pager_and_toggle(client):
    doc = page(client.get("/lessons/attention-mechanism"))
    current = doc.select_one('.lesson-sidebar a[aria-current="page"]')
    assert current["href"] == "/lessons/attention-mechanism"
    assert doc.select_one("a[rel=prev]")["href"] == "/lessons/tokenization"
    assert doc.select_one("a[rel=next]")["href"] == "/lessons/context-windows"
    assert doc.select_one("form#done-toggle button").get_text(strip=True) == "Mark as done"


def test_first_and_last_lessons_have_one_neighbour(client):
    assert page(client.get("/lessons/transformer-architecture")).select_one("a[rel=prev]") is None
    assert page(client.get("/lessons/mental-models")).select_one("a[rel=next]") is None


def test_code_with_a_language_is_highlighted(client):
    doc = page(client.get("/lessons/embeddings"))
    highlighted = doc.select(".lesson-body pre code span[class]")
    plain = [pre for pre in doc.select(".lesson-body pre code") if not pre.select("span")]
    assert highlighted or plain  # every block is rendered as code, highlighted where it names a language


@pytest.mark.parametrize("slug", ["no-such-lesson", "..%2f..%2fetc", "x" * 500])
def test_unknown_lesson_is_a_styled_404(client, slug):
    response = client.get(f"/lessons/{slug}")
    assert response.status_code == 404
    doc = page(response)
    assert doc.select_one("h1").get_text() == "Page not found"
    assert "Traceback" not in response.text


def test_unknown_path_is_a_styled_404(client):
    response = client.get("/nowhere")
    assert response.status_code == 404
    assert page(response).select_one(".error-code").get_text() == "404"


def test_mark_done_with_htmx_returns_the_partial(client):
    token = csrf_token(client, "/lessons/tokenization")
    response = client.post(
        "/lessons/tokenization/done",
        data={"done": "true"},
        headers={"HX-Request": "true", "X-CSRF-Token": token},
    )
    assert response.status_code == 200
    doc = page(response)
    assert doc.select_one("html") is None  # a partial, not a page
    assert doc.select_one("form#done-toggle .done-state") is not None
    assert doc.select_one("#done-mark-tokenization")["hx-swap-oob"] == "true"


def test_mark_done_without_js_redirects_and_shows_on_home(client):
    token = csrf_token(client, "/lessons/tokenization")
    response = client.post(
        "/lessons/tokenization/done", data={"done": "true", "csrf_token": token}, follow_redirects=False
    )
    assert response.status_code == 303
    home = page(client.get("/"))
    card = home.select_one('.lesson-card[data-slug="tokenization"]')
    assert "is-done" in card["class"]
    assert home.select_one("label[for=course-progress]").get_text() == "1 of 9 lessons done"


def test_mark_not_done_undoes(client):
    token = csrf_token(client, "/lessons/tokenization")
    headers = {"X-CSRF-Token": token}
    client.post("/lessons/tokenization/done", data={"done": "true"}, headers=headers)
    client.post("/lessons/tokenization/done", data={"done": "false"}, headers=headers)
    card = page(client.get("/")).select_one('.lesson-card[data-slug="tokenization"]')
    assert "is-done" not in card["class"] and "is-opened" in card["class"]


def test_progress_survives_a_restart(settings, client):
    token = csrf_token(client, "/lessons/embeddings")
    client.post("/lessons/embeddings/done", data={"done": "true"}, headers={"X-CSRF-Token": token})
    from fastapi.testclient import TestClient

    from app.main import create_app

    with TestClient(create_app(settings), cookies=client.cookies) as restarted:
        card = page(restarted.get("/")).select_one('.lesson-card[data-slug="embeddings"]')
    assert "is-done" in card["class"]


SLUGS = (
    "transformer-architecture",
    "tokenization",
    "attention-mechanism",
    "context-windows",
    "training-pipeline",
    "model-families",
    "key-parameters",
    "embeddings",
    "mental-models",
)


@pytest.mark.parametrize("slug", SLUGS)
def test_every_lesson_has_something_to_try(client, slug):
    """A lesson is more than text and a quiz: a live widget sits inside it, after one of its sections."""
    doc = page(client.get(f"/lessons/{slug}"))
    widgets = [
        form
        for extra in doc.select(".lesson-extra")
        for form in extra.select("form")
        if not {"question-form", "done-toggle"} & set(form.get("class", []))
    ]
    assert widgets, f"{slug} has no widget"


def test_the_slugs_above_are_every_lesson(client):
    assert tuple(lesson.slug for lesson in client.app.state.course.lessons) == SLUGS
