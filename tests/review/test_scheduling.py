"""Spaced review through the fsrs package: ratings, the append-only log, self-grade overrides, due counts."""

from datetime import timedelta

import pytest
from fsrs import Card, Rating, Scheduler
from sqlalchemy import select

from app.review.models import ReviewCard, ReviewLog
from app.review.scheduling import SCHEDULER, effective_ratings
from app.review.service import due_in_words
from tests.quiz.helpers import HX, answer, soup, token


def _card(session, question_id: str) -> ReviewCard:
    session.expire_all()
    return session.scalars(select(ReviewCard).where(ReviewCard.question_id == question_id)).one()


def test_the_scheduler_is_the_fsrs_package():
    assert isinstance(SCHEDULER, Scheduler)


def test_wrong_is_again_and_right_is_good(quiz_client, session, clock):
    start = clock.now
    answer(quiz_client, "fx-single", choice="2")
    expected_again, _ = Scheduler(enable_fuzzing=False).review_card(
        Card(card_id=0, due=start), Rating.Again, start
    )
    assert _card(session, "fx-single").due_at == expected_again.due
    answer(quiz_client, "fx-numeric", value="1333")
    expected_good, _ = Scheduler(enable_fuzzing=False).review_card(
        Card(card_id=0, due=start), Rating.Good, start
    )
    assert _card(session, "fx-numeric").due_at == expected_good.due
    assert [log.rating for log in session.scalars(select(ReviewLog).order_by(ReviewLog.id))] == [1, 3]


def test_a_card_follows_fsrs_over_several_reviews(quiz_client, session, clock):
    scheduler, card = Scheduler(enable_fuzzing=False), Card(card_id=0, due=clock.now)
    for choice, rating, wait in (
        ("0", Rating.Good, 20),
        ("0", Rating.Good, 60 * 24 * 3),
        ("2", Rating.Again, 60),
    ):
        card, _ = scheduler.review_card(card, rating, clock.now)
        answer(quiz_client, "fx-single", choice=choice)
        row = _card(session, "fx-single")
        assert (row.due_at, row.stability, row.state) == (card.due, card.stability, int(card.state))
        clock.advance(minutes=wait)


def test_the_log_is_append_only_and_a_self_grade_overrides(quiz_client, session, clock):
    card_html = soup(answer(quiz_client, "fx-free-text", text="No idea."))
    answered_at = clock.now
    answer_id = card_html.select_one("article")["data-answer"]
    assert _card(session, "fx-free-text").due_at == answered_at + timedelta(
        minutes=1
    )  # Again: first learning step
    clock.advance(minutes=5)
    quiz_client.post(
        f"/quiz/answers/{answer_id}/self-grade",
        data={"csrf_token": token(quiz_client), "grade": "easy"},
        headers=HX,
    )
    logs = session.scalars(select(ReviewLog).order_by(ReviewLog.id)).all()
    assert [(log.rating, log.source) for log in logs] == [(1, "answer"), (4, "self_grade")]
    assert [log.rating for log in effective_ratings(logs)] == [4]
    easy, _ = Scheduler(enable_fuzzing=False).review_card(
        Card(card_id=0, due=answered_at), Rating.Easy, answered_at
    )
    assert _card(session, "fx-free-text").due_at == easy.due


def test_review_page_serves_what_is_due(quiz_client, clock):
    empty = soup(quiz_client.get("/review"))
    assert empty.select_one(".due-count")["data-due"] == "0"
    answer(quiz_client, "fx-single", choice="2")  # wrong: due again in a minute
    answer(quiz_client, "fx-numeric", value="1333")  # right: due in 10 minutes (learning step)
    assert soup(quiz_client.get("/review")).select_one(".due-count")["data-due"] == "0"
    clock.advance(minutes=2)
    page = soup(quiz_client.get("/review"))
    assert page.select_one(".due-count")["data-due"] == "1"
    assert page.select_one("article.question-card")["data-question"] == "fx-single"
    assert page.select_one("input[name=context]")["value"] == "review"
    partial = soup(quiz_client.get("/review", headers=HX))
    assert partial.select_one("html") is None and partial.select_one("#review-due")


def test_review_feedback_links_to_the_next_due_question(quiz_client):
    card = soup(answer(quiz_client, "fx-single", choice="0", context="review"))
    assert card.select_one("a[href='/review']")


def test_home_page_counts_what_is_due_today(quiz_client, clock):
    def due_today():
        return soup(quiz_client.get("/")).select_one("[data-due-today]")["data-due-today"]

    assert due_today() == "0"
    answer(quiz_client, "fx-numeric", value="1333")
    assert due_today() == "1"  # FSRS's learning step: a first right answer comes back in 10 minutes
    clock.advance(minutes=10)
    answer(quiz_client, "fx-numeric", value="1333")  # right again: it graduates, due in days
    answer(quiz_client, "fx-single", choice="2")  # wrong: due again in a minute
    assert due_today() == "1"


def test_a_first_right_answer_is_due_later_today_not_now(quiz_client, clock):
    answered = clock.now
    answer(quiz_client, "fx-numeric", value="1333")  # right: FSRS brings it back in 10 minutes
    home = soup(quiz_client.get("/")).select_one(".due-today")
    link = home.select_one("a[data-due-today]")
    assert (link["data-due-now"], link["data-due-later"], link["data-due-today"]) == ("0", "1", "1")
    assert link.get_text() == "0 questions due for review now, 1 later today"
    when = home.select_one(".next-due time")
    assert when["datetime"] == (answered + timedelta(minutes=10)).isoformat()
    assert when.get_text() == "in 10 minutes"

    review = soup(quiz_client.get("/review"))
    count = review.select_one(".due-count")
    assert (count["data-due"], count["data-due-later"]) == ("0", "1")
    assert review.select_one("article.question-card") is None  # nothing to answer yet
    assert review.select_one(".next-due time").get_text() == "in 10 minutes"

    clock.advance(minutes=4)
    assert soup(quiz_client.get("/review")).select_one(".next-due time").get_text() == "in 6 minutes"
    clock.advance(minutes=6)
    due = soup(quiz_client.get("/review"))
    assert due.select_one(".due-count")["data-due"] == "1"
    assert due.select_one("article.question-card")["data-question"] == "fx-numeric"
    link = soup(quiz_client.get("/")).select_one("a[data-due-today]")
    assert (link["data-due-now"], link["data-due-later"]) == ("1", "0")


def test_the_review_page_says_when_the_next_one_is_due_while_others_are_due(quiz_client, clock):
    answer(quiz_client, "fx-single", choice="2")  # wrong: due in a minute
    answer(quiz_client, "fx-numeric", value="1333")  # right: due in 10 minutes
    clock.advance(minutes=2)
    page = soup(quiz_client.get("/review"))
    assert page.select_one(".due-count").get_text() == "1 question due now, 1 more later today."
    assert page.select_one(".next-due time").get_text() == "in 8 minutes"


@pytest.mark.parametrize(
    ("delta", "words"),
    [
        (timedelta(seconds=20), "in 1 minute"),
        (timedelta(minutes=10), "in 10 minutes"),
        (timedelta(hours=3), "in 3 hours"),
        (timedelta(days=1), "tomorrow"),
        (timedelta(days=4), "in 4 days"),
        (timedelta(0), "now"),
    ],
)
def test_due_in_words(clock, delta, words):
    assert due_in_words(clock.now + delta, clock.now) == words


def test_home_review_and_dashboard_count_the_same_due_questions(quiz_client, session, clock):
    answer(quiz_client, "fx-single", choice="2")  # wrong: due again in a minute
    answer(quiz_client, "fx-numeric", value="1333")  # right: due in 10 minutes, later today
    learner_id = session.scalar(select(ReviewLog.learner_id))
    # A card of a question since removed from the bank is due too; no page may count it.
    session.add(ReviewCard(learner_id=learner_id, question_id="removed-q", state=1, due_at=clock.now))
    session.commit()
    clock.advance(minutes=2)

    home = soup(quiz_client.get("/")).select_one("[data-due-today]")["data-due-today"]
    review = soup(quiz_client.get("/review")).select_one(".due-count")
    dashboard = soup(quiz_client.get("/progress")).select_one("#progress-summary a[href='/review']")
    assert home == review["data-due-today"] == dashboard.get_text().split()[0] == "2"
    assert review["data-due"] == "1"  # of which due now: the wrong one
