"""Helpers for driving question forms as a browser would."""

from bs4 import BeautifulSoup

from tests.conftest import csrf_token, page

HX = {"HX-Request": "true"}


def question_form(client, question_id: str, context: str = "lesson") -> dict[str, str]:
    """The hidden fields of a fresh showing of the question (key, seed, token)."""
    card = page(client.get(f"/quiz/questions/{question_id}?context={context}", headers=HX))
    return {field["name"]: field["value"] for field in card.select("form.question-form input[type=hidden]")}


def answer(client, question_id: str, *, hx: bool = True, form: dict | None = None, **fields):
    """Post an answer to a question through its form; returns the response."""
    data = {**(form or question_form(client, question_id)), **fields}
    return client.post(f"/quiz/questions/{question_id}/answer", data=data, headers=HX if hx else {})


def token(client) -> str:
    """This client's CSRF token."""
    return csrf_token(client, "/review")


def soup(response) -> BeautifulSoup:
    """The response as HTML."""
    return page(response)
