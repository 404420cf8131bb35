"""Importing progress: a later export of the same learner imports again, and a crafted file is refused
whole (422, nothing written) instead of failing later on a page."""

import copy
import json

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from app.dashboard import portability
from app.dashboard.models import ProgressImport
from app.lessons.models import LessonProgress
from app.mock.models import MockAttempt, MockItem
from app.quiz.models import Answer
from app.review.models import ReviewLog
from tests.quiz.fixtures import START
from tests.quiz.helpers import HX, answer, soup, token

TABLES = (Answer, MockAttempt, MockItem, ReviewLog, LessonProgress, ProgressImport)


def _counts(session) -> list[int]:
    session.expire_all()
    return [session.scalar(select(func.count()).select_from(table)) for table in TABLES]


def _import(client, document: dict):
    data = json.dumps(document).encode()
    return client.post(
        "/progress/import",
        data={"csrf_token": token(client)},
        files={"file": ("progress.json", data, "application/json")},
    )


def _one_question_interview(client) -> int:
    """Start a one-question interview (a single choice) and answer it right; returns its id."""
    start = {"csrf_token": token(client), "types": ["single"], "count": "1"}
    attempt_id = int(client.post("/mock", data=start, follow_redirects=False).headers["location"][6:])
    card = soup(client.get(f"/mock/{attempt_id}")).select_one("#mock-item article.question-card")
    fields = {f["name"]: f["value"] for f in card.select("input[type=hidden]")}
    client.post(f"/mock/{attempt_id}/answer", data={**fields, "choice": "0"}, headers=HX)
    return attempt_id


def test_a_later_export_of_the_same_learner_imports_again(quiz_app, quiz_client, session, clock):
    _one_question_interview(quiz_client)
    answer(quiz_client, "fx-free-text", text="Tokens are subword pieces from BPE merges.")
    first = json.loads(quiz_client.get("/progress/export").content)
    with TestClient(quiz_app) as other:
        assert _import(other, first).status_code == 200
        clock.advance(hours=1)
        answer(quiz_client, "fx-numeric", value="1333")  # one answer more, then a new export
        later = json.loads(quiz_client.get("/progress/export").content)
        response = _import(other, later)
        assert response.status_code == 200
        assert "1 answers, 0 interviews" in soup(response).select_one(".notice").get_text()
        theirs = json.loads(other.get("/progress/export").content)
        assert len(theirs["answers"]) == 3 and len(theirs["mock_attempts"]) == 1
        original_key = first["mock_attempts"][0]["key"]
        copied = session.scalars(select(MockAttempt).where(MockAttempt.key != original_key)).one()
        assert copied.key == portability.imported_attempt_key(copied.learner_id, original_key)
        assert theirs["mock_attempts"][0]["key"] == copied.key
        assert soup(other.get(f"/mock/{copied.id}")).select_one(".mock-results .score-value")
        # ...and back: the first learner importing the copy's export already has that interview.
        assert _import(quiz_client, theirs).status_code == 200
    assert len(json.loads(quiz_client.get("/progress/export").content)["mock_attempts"]) == 1
    assert session.scalar(select(func.count()).select_from(MockAttempt)) == 2


def test_a_clash_at_write_time_is_a_409_and_writes_nothing(quiz_app, quiz_client, session, monkeypatch):
    _one_question_interview(quiz_client)
    document = json.loads(quiz_client.get("/progress/export").content)

    def clashing_lessons(db, learner_id, rows):  # two rows the database refuses together
        for _ in range(2):
            db.add(ProgressImport(learner_id=learner_id, digest="0" * 64, imported_at=START))
        db.flush()

    monkeypatch.setattr(portability, "_merge_lessons", clashing_lessons)
    with TestClient(quiz_app) as other:
        before = _counts(session)
        response = _import(other, document)
        assert response.status_code == 409
        assert "Nothing was changed" in soup(response).select_one(".error-message").get_text()
        assert _counts(session) == before


def _answer_of(document: dict, question_id: str) -> dict:
    return next(row for row in document["answers"] if row["question_id"] == question_id)


def _set(row: dict, **fields):
    row.update(fields)


CRAFTED = {
    "unknown response shape": lambda d: _set(_answer_of(d, "fx-single"), response={"nope": 1}),
    "choice out of range": lambda d: _set(_answer_of(d, "fx-single"), response={"choice": 7}),
    "number for a choice": lambda d: _set(_answer_of(d, "fx-single"), response={"value": 0}),
    "repeated choices": lambda d: _set(_answer_of(d, "fx-multiple"), response={"choices": [0, 0]}),
    "empty text": lambda d: _set(_answer_of(d, "fx-free-text"), response={"text": ""}),
    "infinite number": lambda d: _set(_answer_of(d, "fx-numeric"), response={"value": "Infinity"}),
    "grading not a rubric": lambda d: _set(_answer_of(d, "fx-free-text"), grading={"points": 5}),
    "self-graded choice": lambda d: _set(_answer_of(d, "fx-single"), self_grade="good"),
    "year 9999 west of UTC": lambda d: _set(d["answers"][0], answered_at="9999-12-31T23:59:59-01:00"),
    "year 1970": lambda d: _set(d["answers"][0], answered_at="1970-01-01T00:00:00Z"),
    "no time zone": lambda d: _set(d["answers"][0], answered_at="2026-11-28T09:00:00"),
    "unknown question": lambda d: d["review_log"].append(
        dict(d["review_log"][0], question_id="no-such-question", answer_key=None)
    ),
    "repeated submission key": lambda d: d["answers"].append(dict(d["answers"][0])),
    "repeated lesson": lambda d: d["lesson_progress"].append(dict(d["lesson_progress"][0])),
    "repeated position": lambda d: d["mock_attempts"][0]["items"].append(
        dict(d["mock_attempts"][0]["items"][0], answer_key=None)
    ),
    "one answer in two items": lambda d: d["mock_attempts"][0]["items"].append(
        dict(d["mock_attempts"][0]["items"][0], position=2)
    ),
    "item names another question's answer": lambda d: _set(
        d["mock_attempts"][0]["items"][0], answer_key=_answer_of(d, "fx-numeric")["submission_key"]
    ),
    "open for 73 years": lambda d: _set(
        d["mock_attempts"][0], finished_at=None, finish_reason=None, deadline_at="2099-01-01T00:00:00Z"
    ),
}


@pytest.mark.parametrize("damage", list(CRAFTED), ids=list(CRAFTED))
def test_a_crafted_file_is_refused_whole(quiz_app, quiz_client, session, damage):
    quiz_client.get("/lessons/tokenization")
    _one_question_interview(quiz_client)
    answer(quiz_client, "fx-free-text", text="Tokens, not characters.")
    answer(quiz_client, "fx-numeric", value="1333")
    answer(quiz_client, "fx-multiple", choice=["0", "2"])
    document = json.loads(quiz_client.get("/progress/export").content)
    with TestClient(quiz_app) as control:
        assert _import(control, document).status_code == 200  # as exported, it imports
    crafted = copy.deepcopy(document)
    CRAFTED[damage](crafted)
    with TestClient(quiz_app) as other:
        before = _counts(session)
        response = _import(other, crafted)
        assert response.status_code == 422
        assert soup(response).select_one(".error-message").get_text(strip=True)
        assert _counts(session) == before


def test_an_unsent_draft_travels_with_the_export(quiz_app, quiz_client, session):
    start = {"csrf_token": token(quiz_client), "types": ["free_text"], "count": "1"}
    attempt_id = int(quiz_client.post("/mock", data=start, follow_redirects=False).headers["location"][6:])
    draft = {"csrf_token": token(quiz_client), "position": "1", "text": "Tokens, not"}
    assert quiz_client.post(f"/mock/{attempt_id}/draft", data=draft, headers=HX).status_code == 200
    document = json.loads(quiz_client.get("/progress/export").content)
    assert document["mock_attempts"][0]["items"][0]["draft"] == "Tokens, not"
    with TestClient(quiz_app) as other:
        assert _import(other, document).status_code == 200
        assert json.loads(other.get("/progress/export").content)["mock_attempts"][0]["items"][0]["draft"] == (
            "Tokens, not"
        )
