"""An answer's partial swaps out of band only what the page it was given on has (htmx logs an
oobErrorNoTarget for the rest): the lesson's quiz, the question's own page and the review page."""

import pytest

from tests.quiz.helpers import answer, question_form, soup

QUESTION = "fx-single"


def _ids(response) -> set[str]:
    return {element["id"] for element in soup(response).select("[id]")}


def _oob_ids(response) -> set[str]:
    return {element["id"] for element in soup(response).select("[hx-swap-oob]")}


def _standalone_form(client) -> dict[str, str]:
    page = soup(client.get(f"/quiz/questions/{QUESTION}"))
    return {field["name"]: field["value"] for field in page.select("form.question-form input[type=hidden]")}


@pytest.mark.parametrize(
    ("page_of", "context"),
    [
        (lambda q: f"/quiz/questions/{q.id}", "lesson"),  # the question's own page
        (lambda q: f"/lessons/{q.lesson}", "lesson"),  # the lesson's quiz
        (lambda q: "/review", "review"),
    ],
    ids=["question-page", "lesson", "review"],
)
def test_every_out_of_band_swap_has_its_target_on_the_page(quiz_client, quiz_app, page_of, context):
    question = quiz_app.state.question_bank.get(QUESTION)
    page = quiz_client.get(page_of(question))
    assert page.status_code == 200
    response = answer(quiz_client, QUESTION, form=question_form(quiz_client, QUESTION, context), choice="0")
    assert response.status_code == 200
    assert _oob_ids(response) <= _ids(page)


def test_an_answer_on_the_question_page_updates_its_mastery_meter(quiz_client, quiz_app):
    slug = quiz_app.state.question_bank.get(QUESTION).lesson
    page = soup(quiz_client.get(f"/quiz/questions/{QUESTION}"))
    assert "0%" in page.select_one(f"#mastery-{slug} label").get_text()
    response = answer(quiz_client, QUESTION, form=_standalone_form(quiz_client), choice="0")
    meter = soup(response).select_one(f"#mastery-{slug}[hx-swap-oob]")
    assert meter is not None and "0%" not in meter.select_one("label").get_text()


def test_an_answer_on_the_review_page_sends_no_mastery_meter(quiz_client):
    response = answer(quiz_client, QUESTION, form=question_form(quiz_client, QUESTION, "review"), choice="0")
    assert response.status_code == 200 and _oob_ids(response) == set()
