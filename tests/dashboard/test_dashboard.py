"""The progress dashboard as pictures, and export / import of a learner's whole progress."""

import json
from datetime import date, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from app.charts.progress import Bar, activity_calendar, mastery_bars
from app.dashboard.service import streak
from app.quiz.models import Answer
from app.review.models import ReviewCard, ReviewLog
from tests.quiz.helpers import HX, answer, soup, token

TODAY = date(2026, 11, 28)


@pytest.mark.parametrize(
    ("offsets", "expected"),
    [((), 0), ((0,), 1), ((0, 1, 2), 3), ((1, 2), 2), ((0, 2, 3), 1), ((2, 3), 0)],
)
def test_streak_counts_consecutive_days_up_to_today_or_yesterday(offsets, expected):
    assert streak({TODAY - timedelta(days=d) for d in offsets}, TODAY) == expected


def test_charts_are_accessible_pictures():
    svg = soup_of(mastery_bars("m", [Bar("Tokenization", 0.5, "1 of 2 right")]))
    assert svg["role"] == "img" and svg["aria-labelledby"] == "m-title m-desc"
    assert svg.select_one("title#m-title").get_text() == "Mastery per lesson"
    assert "Tokenization: 50%" in svg.select_one("desc").get_text()
    assert (
        float(svg.select_one("rect.bar-fill")["width"])
        == float(svg.select_one("rect.bar-track")["width"]) / 2
    )


def test_calendar_marks_active_days_darker():
    svg = soup_of(activity_calendar("a", {TODAY: 6, TODAY - timedelta(days=1): 1}, TODAY, weeks=2))
    levels = {r.select_one("title").get_text().split(":")[0]: r["class"][1] for r in svg.select("rect.day")}
    assert levels[TODAY.isoformat()] == "level-4"
    assert levels[(TODAY - timedelta(days=1)).isoformat()] == "level-1"
    assert levels[(TODAY - timedelta(days=2)).isoformat()] == "level-0"


def soup_of(markup):
    from bs4 import BeautifulSoup

    return BeautifulSoup(str(markup), "html.parser").select_one("svg")


def test_dashboard_draws_mastery_scores_and_activity(quiz_client):
    answer(quiz_client, "fx-heads", value="128")
    answer(quiz_client, "fx-single", choice="2")
    page = soup(quiz_client.get("/progress"))
    for chart_id in ("mastery-chart", "score-chart", "activity-chart"):
        svg = page.select_one(f"svg#{chart_id}")
        assert svg["role"] == "img" and svg.select_one("title") and svg.select_one("desc")
    bars = {
        row.select_one("text").get_text(): row.select_one("rect.bar-fill")["width"]
        for row in page.select("#mastery-chart .bar-row")
    }
    assert float(bars["Attention Mechanism"]) == 150.0 and float(bars["Tokenization"]) == 0.0
    assert page.select_one("[data-streak]")["data-streak"] == "1"
    assert "2 answers" in page.select_one("#progress-summary").get_text()
    assert "Attention Mechanism: 50% (1 seen" in page.select_one("figcaption").get_text()


def _export(client) -> bytes:
    response = client.get("/progress/export")
    assert response.status_code == 200
    assert response.headers["content-disposition"].startswith("attachment")
    return response.content


def _import(client, data: bytes, name: str = "progress.json"):
    return client.post(
        "/progress/import",
        data={"csrf_token": token(client)},
        files={"file": (name, data, "application/json")},
    )


def _count(session, model, learner_id=None) -> int:
    session.expire_all()
    query = select(func.count()).select_from(model)
    if learner_id:
        query = query.where(model.learner_id == learner_id)
    return session.scalar(query)


def test_export_holds_the_whole_progress(quiz_client):
    quiz_client.get("/lessons/tokenization")
    answer(quiz_client, "fx-free-text", text="Tokens, not characters.")
    start = quiz_client.post(
        "/mock", data={"csrf_token": token(quiz_client), "types": ["single"], "count": "1"}
    )
    assert start.status_code == 200
    document = json.loads(_export(quiz_client))
    assert (document["format"], document["version"]) == ("llm-interview-lab/progress", 1)
    assert [row["lesson_slug"] for row in document["lesson_progress"]] == ["tokenization"]
    assert [row["question_id"] for row in document["answers"]] == ["fx-free-text"]
    assert document["answers"][0]["grading"]["points"][0]["point"]
    assert len(document["mock_attempts"]) == 1 and len(document["mock_attempts"][0]["items"]) == 1
    assert [card["question_id"] for card in document["review_cards"]] == ["fx-free-text"]
    assert document["review_log"][0]["answer_key"] == document["answers"][0]["submission_key"]


def test_import_into_another_learner_then_refuse_the_same_file(quiz_app, quiz_client, session):
    answer(quiz_client, "fx-heads", value="128")
    answer(quiz_client, "fx-single", choice="2")
    data = _export(quiz_client)
    with TestClient(quiz_app) as newcomer:
        newcomer.get("/lessons/embeddings")
        response = _import(newcomer, data)
        assert response.status_code == 200
        assert "2 answers" in soup(response).select_one(".notice").get_text()
        theirs = json.loads(_export(newcomer))
        assert theirs["answers"] == json.loads(data)["answers"]
        assert [row["lesson_slug"] for row in theirs["lesson_progress"]] == [
            "embeddings"
        ]  # kept, not overwritten
        mine = soup(newcomer.get("/progress")).select_one("[data-streak]")["data-streak"]
        assert mine == "1"
        again = _import(newcomer, data)
        assert again.status_code == 409
        assert "already imported" in soup(again).select_one(".error-message").get_text()
    assert (
        _count(session, Answer) == 4 and _count(session, ReviewLog) == 4 and _count(session, ReviewCard) == 4
    )
    assert (
        json.loads(_export(quiz_client))["answers"] == json.loads(data)["answers"]
    )  # the exporter is untouched


def test_importing_my_own_export_changes_nothing(quiz_client, session):
    answer(quiz_client, "fx-heads", value="128")
    data = _export(quiz_client)
    due_before = session.scalar(select(ReviewCard.due_at))
    assert _import(quiz_client, data).status_code == 200
    assert _count(session, Answer) == 1 and _count(session, ReviewLog) == 1
    assert session.scalar(select(ReviewCard.due_at)) == due_before


def test_import_rebuilds_review_cards_from_the_log(quiz_app, quiz_client, session, clock):
    answer(quiz_client, "fx-single", choice="0")
    clock.advance(minutes=10)
    answer(quiz_client, "fx-single", choice="0")
    original = session.scalar(select(ReviewCard))
    with TestClient(quiz_app) as newcomer:
        assert _import(newcomer, _export(quiz_client)).status_code == 200
    copies = session.scalars(select(ReviewCard).where(ReviewCard.id != original.id)).all()
    assert len(copies) == 1
    assert (copies[0].due_at, copies[0].stability) == (original.due_at, original.stability)


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        (b"not json at all", "not JSON"),
        (b'{"hello": "world"}', "not a progress file"),
        (b'{"format": "llm-interview-lab/progress", "version": 2}', "version 2"),
        (
            b'{"format": "llm-interview-lab/progress", "version": 1, "exported_at": "2026-01-01T00:00:00Z",'
            b' "lesson_progress": [], "answers": [{"submission_key": "k1"}], "mock_attempts": [],'
            b' "review_cards": [],'
            b' "review_log": []}',
            "damaged",
        ),
        (b"\xff\xfe\x00", "not JSON"),
    ],
)
def test_a_file_that_is_not_ours_is_refused_and_nothing_written(quiz_client, session, payload, message):
    answer(quiz_client, "fx-heads", value="128")
    response = _import(quiz_client, payload)
    assert response.status_code == 422
    assert message in soup(response).select_one(".error-message").get_text()
    assert _count(session, Answer) == 1 and _count(session, ReviewLog) == 1


def test_an_oversized_import_is_refused(quiz_client, session):
    response = _import(quiz_client, b" " * 1_100_000)
    assert response.status_code == 413
    assert _count(session, Answer) == 0


def test_import_needs_the_csrf_token(quiz_client):
    response = quiz_client.post("/progress/import", files={"file": ("p.json", b"{}", "application/json")})
    assert response.status_code == 403


def test_a_follow_up_and_the_interview_setting_travel_in_the_export(quiz_app, quiz_client):
    card = soup(answer(quiz_client, "fx-free-text", text="The model only sees tokens, never the characters."))
    action = card.select_one("section.follow-up form")["hx-post"]
    reply = "Each token is one opaque integer ID mapped to an embedding, so the letters are hidden."
    quiz_client.post(action, data={"csrf_token": token(quiz_client), "text": reply}, headers=HX)
    quiz_client.post("/mock", data={"csrf_token": token(quiz_client), "types": ["single"], "count": "1"})
    data = _export(quiz_client)
    document = json.loads(data)
    [exported] = document["answers"]
    assert exported["follow_up"]["recovered"] is True and exported["grading"]["follow_up"]["point"] == 1
    assert exported["grading"]["points"][0]["evidence"]
    assert document["mock_attempts"][0]["follow_ups"] is False  # the unticked box
    with TestClient(quiz_app) as newcomer:
        assert _import(newcomer, data).status_code == 200
        assert json.loads(_export(newcomer))["answers"] == document["answers"]
