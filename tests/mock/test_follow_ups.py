"""A mock interview's follow-up: asked on a missed point before the next question, graded, counted."""

import pytest
from sqlalchemy import select

from app.learners.models import Learner
from app.mock.models import MockAttempt
from app.mock.service import (
    FollowUpPendingError,
    MockSetup,
    answer_item,
    answer_item_follow_up,
    attempt_items,
    attempt_result,
    pending_follow_up,
    start_attempt,
)
from app.quiz.models import Answer
from app.quiz.schemas import NumberAnswer, TextAnswer
from tests.quiz.helpers import HX, soup, token

PARTIAL = "The model only sees tokens, never the characters."
RECOVERY = (
    "No: each token is a single opaque integer ID that maps to an embedding, so its letters are hidden."
)


def _start(client, **fields) -> int:
    data = {"csrf_token": token(client), "types": ["free_text"], "count": "1", "minutes": "10", **fields}
    response = client.post("/mock", data=data, follow_redirects=False)
    assert response.status_code == 303, response.text
    return int(response.headers["location"].rsplit("/", 1)[1])


def _answer(client, attempt_id: int, text: str):
    data = {"csrf_token": token(client), "position": "1", "text": text}
    return client.post(f"/mock/{attempt_id}/answer", data=data, headers=HX, follow_redirects=False)


def _follow_up(client, attempt_id: int, **fields):
    data = {"csrf_token": token(client), "position": "1", **fields}
    return client.post(f"/mock/{attempt_id}/follow-up", data=data, headers=HX, follow_redirects=False)


def test_the_set_up_form_asks_follow_ups_by_default(quiz_client):
    box = soup(quiz_client.get("/mock")).select_one("form.mock-form input[name=follow_ups]")
    assert box.has_attr("checked") and box["value"] == "true"


def test_a_missed_point_gets_a_follow_up_before_the_next_question_and_a_recovery_counts(quiz_client, session):
    attempt_id = _start(quiz_client, follow_ups="true")
    item = soup(_answer(quiz_client, attempt_id, PARTIAL))
    assert item.select_one("html") is None  # the follow-up is swapped in place of the next question
    card = item.select_one("#mock-item article.follow-up-card")
    assert item.select_one(".mock-question-title").get_text() == "Question 1 of 1: follow-up"
    assert (
        card.select_one(".follow-up-question").get_text()
        == "Can the model see the characters inside a token?"
    )
    assert card.select_one("form")["hx-post"] == f"/mock/{attempt_id}/follow-up"
    reloaded = soup(quiz_client.get(f"/mock/{attempt_id}"))  # a reload comes back to the follow-up
    assert reloaded.select_one("#mock-item article.follow-up-card .follow-up-question")
    assert (
        session.get(MockAttempt, attempt_id).finished_at is None
    )  # not over until the follow-up is answered

    done = _follow_up(quiz_client, attempt_id, text=RECOVERY)
    assert done.status_code == 204 and done.headers["HX-Redirect"] == f"/mock/{attempt_id}"
    results = soup(quiz_client.get(f"/mock/{attempt_id}"))
    count = results.select_one(".score-total .recovered-count")
    assert (count["data-recovered"], count["data-follow-ups"]) == ("1", "1")
    assert count.get_text() == "1 of 1 recovered on follow-up"
    block = results.select_one(".result-item section.follow-up")
    assert block["data-follow-up"] == "recovered" and block.select_one("form") is None
    assert block.select_one(".given-text").get_text() == RECOVERY
    session.expire_all()
    first = session.scalars(select(Answer)).one()
    assert (
        first.score == 0.25 and not first.correct
    )  # the first answer's grade stands; the recovery is beside it


def test_a_skipped_follow_up_ends_the_interview_with_nothing_recovered(quiz_client, session):
    attempt_id = _start(quiz_client, follow_ups="true")
    _answer(quiz_client, attempt_id, PARTIAL)
    assert _follow_up(quiz_client, attempt_id, skip="1").status_code == 204
    assert _follow_up(quiz_client, attempt_id, skip="1").status_code == 204  # a double click: the same reply
    assert _follow_up(quiz_client, attempt_id, text=RECOVERY).status_code == 409  # a different one is refused
    session.expire_all()
    assert session.scalars(select(Answer)).one().follow_up["skipped"] is True
    results = soup(quiz_client.get(f"/mock/{attempt_id}"))
    assert results.select_one(".recovered-count").get_text() == "0 of 1 recovered on follow-up"
    assert results.select_one("section.follow-up")["data-follow-up"] == "skipped"


def test_with_follow_ups_off_the_answer_ends_the_interview(quiz_client, session):
    attempt_id = _start(quiz_client)  # an unticked box sends nothing
    response = _answer(quiz_client, attempt_id, PARTIAL)
    assert response.status_code == 204
    assert session.get(MockAttempt, attempt_id).finish_reason == "completed"
    assert _follow_up(quiz_client, attempt_id, text=RECOVERY).status_code == 409
    results = soup(quiz_client.get(f"/mock/{attempt_id}"))
    assert results.select_one(".recovered-count") is None and results.select_one("section.follow-up") is None


def test_the_follow_up_service_in_one_interview(quiz_app, session, clock, sentence_encoder):
    bank, tools = quiz_app.state.question_bank, quiz_app.state.generator_tools
    with quiz_app.state.sessionmaker() as db:
        db.add(Learner(id="l1", created_at=clock.now))
        db.commit()
        setup = MockSetup(lessons=("tokenization",), count=2, types=("free_text", "numeric"))
        attempt = start_attempt(session=db, learner_id="l1", setup=setup, bank=bank, now=clock.now)
        assert attempt.follow_ups  # on unless the set-up says otherwise
        items = {item.question_id: item for item in attempt_items(session=db, attempt=attempt)}
        free, numeric = items["fx-free-text"], items["fx-numeric"]
        answer_item(
            session=db, attempt=attempt, item=free, question=bank.get("fx-free-text"),
            response=TextAnswer(PARTIAL), now=clock.now, tools=tools, encoder=sentence_encoder,
        )  # fmt: skip
        assert pending_follow_up(session=db, attempt=attempt)[0].id == free.id
        with pytest.raises(FollowUpPendingError):  # the next answer waits for the follow-up
            answer_item(
                session=db, attempt=attempt, item=numeric, question=bank.get("fx-numeric"),
                response=NumberAnswer(1333), now=clock.now, tools=tools, encoder=sentence_encoder,
            )  # fmt: skip
        clock.advance(seconds=30)
        answer_item_follow_up(
            session=db, attempt=attempt, item=free, question=bank.get("fx-free-text"),
            text="I am not sure.", now=clock.now, encoder=sentence_encoder,
        )  # fmt: skip
        assert pending_follow_up(session=db, attempt=attempt) is None
        answer_item(
            session=db, attempt=attempt, item=numeric, question=bank.get("fx-numeric"),
            response=NumberAnswer(1333), now=clock.now, tools=tools, encoder=sentence_encoder,
        )  # fmt: skip
        result = attempt_result(session=db, attempt=attempt, bank=bank)
        assert attempt.finish_reason == "completed"
        assert (result.follow_ups, result.recovered) == (1, 0)


def test_a_follow_up_after_the_deadline_is_refused(quiz_client, clock):
    attempt_id = _start(quiz_client, follow_ups="true")
    _answer(quiz_client, attempt_id, PARTIAL)
    clock.advance(minutes=11)
    response = _follow_up(quiz_client, attempt_id, text=RECOVERY)
    assert response.status_code == 409 and "Time is up" in response.text
    results = soup(quiz_client.get(f"/mock/{attempt_id}"))
    assert results.select_one(".score-total").get_text().count("1 of 1 answered") == 1
    assert results.select_one("section.follow-up") is None  # asked, never answered: nothing to show
