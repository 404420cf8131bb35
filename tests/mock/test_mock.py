"""Timed mock interviews: the deadline is the server's, every answer is saved at once, results and history."""

import random
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from app.main import create_app
from app.mock.models import MockAttempt, MockItem
from app.mock.service import WEIGHT_RIGHT, WEIGHT_UNSEEN, WEIGHT_WRONG, draw_questions, question_weights
from app.quiz.models import Answer
from tests.quiz.helpers import HX, answer, soup, token

RIGHT = {"fx-single": {"choice": "0"}, "fx-numeric": {"value": "1333"}, "fx-heads": {"value": "128"}}


def start(client, **fields) -> int:
    """Start an interview over single and numeric questions; returns its id."""
    data = {
        "csrf_token": token(client),
        "types": ["single", "numeric"],
        "count": "3",
        "minutes": "15",
        **fields,
    }
    response = client.post("/mock", data=data, follow_redirects=False)
    assert response.status_code == 303, response.text
    return int(response.headers["location"].rsplit("/", 1)[1])


def current(client, attempt_id: int):
    """The attempt page's current question form: (question id, hidden fields)."""
    html = soup(client.get(f"/mock/{attempt_id}"))
    card = html.select_one("#mock-item article.question-card")
    fields = {f["name"]: f["value"] for f in card.select("input[type=hidden]")}
    return card["data-question"], fields


def give(client, attempt_id: int, fields: dict, question_id: str, hx: bool = True, **override):
    """Answer the current question (right unless overridden)."""
    data = {**fields, **RIGHT[question_id], **override}
    return client.post(
        f"/mock/{attempt_id}/answer", data=data, headers=HX if hx else {}, follow_redirects=False
    )


def count_answers(session) -> int:
    session.expire_all()
    return session.scalar(select(func.count()).select_from(Answer))


def test_setup_page_defaults_to_ten_questions_in_fifteen_minutes(quiz_client):
    form = soup(quiz_client.get("/mock")).select_one("form.mock-form")
    assert form.select_one("input[name=count]")["value"] == "10"
    assert form.select_one("input[name=minutes]")["value"] == "15"
    assert all(box.has_attr("checked") for box in form.select("input[name=lessons]"))


def test_take_an_interview_and_see_results(quiz_client, clock):
    attempt_id = start(quiz_client)
    page = soup(quiz_client.get(f"/mock/{attempt_id}"))
    countdown = page.select_one(".countdown")
    assert countdown["data-deadline"] == (clock.now + timedelta(minutes=15)).isoformat()
    assert countdown.select_one(".countdown-value").get_text() == "15:00"
    seen = []
    for seconds in (40, 25, 70):
        question_id, fields = current(quiz_client, attempt_id)
        seen.append(question_id)
        clock.advance(seconds=seconds)
        response = give(
            quiz_client,
            attempt_id,
            fields,
            question_id,
            **({"value": "7"} if question_id == "fx-numeric" else {}),
        )
        assert response.status_code in (200, 204)
    assert sorted(seen) == sorted(RIGHT)
    results = soup(quiz_client.get(f"/mock/{attempt_id}"))
    assert results.select_one(".mock-results")
    assert results.select_one(".score-value").get_text() == "67%"
    times = {
        li["data-question"]: li.select_one(".time-taken").get_text() for li in results.select(".result-item")
    }
    assert times == {seen[0]: "40 s", seen[1]: "25 s", seen[2]: "70 s"}
    lessons = {
        row["data-lesson"]: row.select("td")[2].get_text()
        for row in results.select(".lesson-scores tbody tr")
    }
    assert lessons == {"tokenization": "50%", "attention-mechanism": "100%"}
    wrong = results.select_one('.result-item[data-question="fx-numeric"]')
    assert wrong.select_one(".verdict.is-wrong") and "1333" in wrong.select_one(".expected").get_text()


def test_the_next_question_comes_back_as_a_partial(quiz_client):
    attempt_id = start(quiz_client)
    question_id, fields = current(quiz_client, attempt_id)
    response = give(quiz_client, attempt_id, fields, question_id)
    html = soup(response)
    assert html.select_one("html") is None
    assert html.select_one("#mock-item .mock-progress .is-saved")
    assert html.select_one("#mock-item article.question-card")["data-question"] != question_id
    assert html.select_one("#mock-item form")["hx-target"] == "#mock-item"  # the swap replaces the whole item


def test_an_answer_after_the_deadline_is_refused_and_the_attempt_submitted(quiz_client, session, clock):
    attempt_id = start(quiz_client, minutes="1")
    question_id, fields = current(quiz_client, attempt_id)
    give(quiz_client, attempt_id, fields, question_id)
    question_id, fields = current(quiz_client, attempt_id)
    clock.advance(seconds=61)
    response = give(quiz_client, attempt_id, fields, question_id)
    assert response.status_code == 409
    assert "Time is up" in soup(response).select_one(".error-message").get_text()
    assert count_answers(session) == 1
    attempt = session.get(MockAttempt, attempt_id)
    assert (attempt.finish_reason, attempt.finished_at) == ("expired", attempt.deadline_at)
    results = soup(quiz_client.get(f"/mock/{attempt_id}"))
    assert results.select_one(".mock-results .score-value").get_text() == "33%"  # 1 right of 3


def test_expiry_submits_on_the_next_request_that_touches_it(quiz_client, session, clock):
    attempt_id = start(quiz_client, minutes="2")
    question_id, fields = current(quiz_client, attempt_id)
    give(quiz_client, attempt_id, fields, question_id)
    clock.advance(minutes=3)
    quiz_client.get("/mock")  # the history page touches every attempt of the learner
    session.expire_all()
    assert session.get(MockAttempt, attempt_id).finish_reason == "expired"
    history = soup(quiz_client.get("/mock"))
    assert history.select_one(f'.attempt-list li[data-attempt="{attempt_id}"] strong').get_text() == "33%"
    assert len(history.select("svg#score-chart circle.score-dot")) == 1


def test_resume_after_a_restart_with_the_right_time_left(quiz_client, quiz_settings, clock):
    attempt_id = start(quiz_client)
    question_id, fields = current(quiz_client, attempt_id)
    give(quiz_client, attempt_id, fields, question_id, hx=False)
    clock.advance(minutes=4, seconds=30)
    restarted = create_app(quiz_settings)  # a new process on the same database
    restarted.state.clock = clock
    with TestClient(restarted, cookies=quiz_client.cookies) as client:
        page = soup(client.get(f"/mock/{attempt_id}"))
    assert page.select_one(".countdown-value").get_text() == "10:30"
    assert page.select_one(".mock-progress li.is-saved")
    assert page.select_one("#mock-item article.question-card")["data-question"] != question_id


def test_the_same_answer_twice_is_saved_once_and_a_change_is_refused(quiz_client, session):
    attempt_id = start(quiz_client)
    question_id, fields = current(quiz_client, attempt_id)
    assert give(quiz_client, attempt_id, fields, question_id).status_code == 200
    assert give(quiz_client, attempt_id, fields, question_id).status_code == 200  # double click
    assert count_answers(session) == 1
    other = {"choice": "1"} if question_id == "fx-single" else {"value": "1"}
    assert give(quiz_client, attempt_id, fields, question_id, **other).status_code == 409
    assert count_answers(session) == 1


def test_skip_and_submit_early(quiz_client, session):
    attempt_id = start(quiz_client)
    question_id, fields = current(quiz_client, attempt_id)
    give(quiz_client, attempt_id, {**fields, "skip": "1"}, question_id)
    response = quiz_client.post(
        f"/mock/{attempt_id}/submit", data={"csrf_token": token(quiz_client)}, headers=HX
    )
    assert response.headers["HX-Redirect"] == f"/mock/{attempt_id}"
    results = soup(quiz_client.get(f"/mock/{attempt_id}"))
    assert results.select_one(".score-value").get_text() == "0%"
    assert len(results.select(".result-item")) == 3
    assert give(quiz_client, attempt_id, {**fields, "position": "2"}, "fx-single").status_code == 409


def test_another_learner_gets_404(quiz_app, quiz_client, session):
    attempt_id = start(quiz_client)
    question_id, fields = current(quiz_client, attempt_id)
    with TestClient(quiz_app) as stranger:
        csrf = token(stranger)
        assert stranger.get(f"/mock/{attempt_id}").status_code == 404
        fields = {**fields, "csrf_token": csrf}
        assert give(stranger, attempt_id, fields, question_id).status_code == 404
        assert stranger.post(f"/mock/{attempt_id}/submit", data={"csrf_token": csrf}).status_code == 404
    assert count_answers(session) == 0
    assert session.get(MockAttempt, attempt_id).finished_at is None


@pytest.mark.parametrize(
    "fields",
    [
        {"count": "0"},
        {"count": "31"},
        {"minutes": "0"},
        {"minutes": "abc"},
        {"lessons": ["nope"]},
        {"types": ["essay"]},
        {"lessons": ["embeddings"]},
    ],
)
def test_bad_setup_is_refused_and_nothing_is_started(quiz_client, session, fields):
    data = {"csrf_token": token(quiz_client), "count": "3", **fields}
    response = quiz_client.post("/mock", data=data, follow_redirects=False)
    assert response.status_code == 422
    assert session.scalar(select(func.count()).select_from(MockAttempt)) == 0


@pytest.mark.parametrize(
    ("position", "fields", "status"),
    [("9", {}, 404), ("0", {}, 422), ("1", {"value": "x" * 300}, 422), ("1", {"choice": "5"}, 422)],
)
def test_bad_mock_answers_write_nothing(quiz_client, session, position, fields, status):
    attempt_id = start(quiz_client, types=["single"], count="1")
    data = {"csrf_token": token(quiz_client), "position": position, **fields}
    assert quiz_client.post(f"/mock/{attempt_id}/answer", data=data, headers=HX).status_code == status
    assert count_answers(session) == 0


def test_weights_favour_wrong_then_unseen_then_right(quiz_app, quiz_client, session, clock):
    answer(quiz_client, "fx-single", choice="2")
    answer(quiz_client, "fx-numeric", value="1333")
    bank = quiz_app.state.question_bank
    learner_id = session.scalar(select(Answer.learner_id))
    questions = [bank.get("fx-single"), bank.get("fx-numeric"), bank.get("fx-heads")]
    weights = question_weights(session=session, learner_id=learner_id, candidates=questions, now=clock.now)
    assert weights == {"fx-single": WEIGHT_WRONG, "fx-numeric": WEIGHT_RIGHT, "fx-heads": WEIGHT_UNSEEN}
    clock.advance(minutes=2)  # the wrong one is now due too
    due_weights = question_weights(
        session=session, learner_id=learner_id, candidates=questions, now=clock.now
    )
    assert due_weights["fx-single"] > weights["fx-single"]


def test_draw_is_weighted_and_without_repeats(quiz_app):
    questions = list(quiz_app.state.question_bank.questions.values())[:4]
    weights = {q.id: 1.0 for q in questions} | {questions[0].id: 8.0}
    rng = random.Random(7)
    draws = [draw_questions(questions, weights, 2, rng) for _ in range(400)]
    assert all(len({q.id for q in d}) == 2 for d in draws)
    heavy = sum(questions[0] in d for d in draws) / len(draws)
    light = sum(questions[1] in d for d in draws) / len(draws)
    assert heavy > 0.85 and light < 0.5


def test_the_last_answer_sent_twice_gets_the_same_reply_and_is_saved_once(quiz_client, session):
    attempt_id = start(quiz_client, types=["single"], count="1")
    question_id, fields = current(quiz_client, attempt_id)
    first = give(quiz_client, attempt_id, fields, question_id)
    again = give(quiz_client, attempt_id, fields, question_id)  # a double click on the last question
    assert first.status_code == again.status_code == 204
    assert first.headers["HX-Redirect"] == again.headers["HX-Redirect"] == f"/mock/{attempt_id}"
    plain = give(quiz_client, attempt_id, fields, question_id, hx=False)
    assert plain.status_code == 303 and plain.headers["location"] == f"/mock/{attempt_id}"
    assert count_answers(session) == 1
    assert give(quiz_client, attempt_id, fields, question_id, choice="1").status_code == 409


def test_two_last_answers_at_once_finish_the_attempt(quiz_app, quiz_client, clock):
    from app.mock import service
    from app.quiz.schemas import ChoiceAnswer, NumberAnswer

    attempt_id = start(quiz_client, count="2")
    bank, tools = quiz_app.state.question_bank, quiz_app.state.generator_tools
    with quiz_app.state.sessionmaker() as first, quiz_app.state.sessionmaker() as second:
        mine = [first.get(MockAttempt, attempt_id), second.get(MockAttempt, attempt_id)]
        # Both requests have loaded the items, each with both questions still unanswered.
        items = [
            service.attempt_items(session=s, attempt=a) for s, a in zip((first, second), mine, strict=True)
        ]
        for db, attempt, item in ((first, mine[0], items[0][0]), (second, mine[1], items[1][1])):
            question = bank.get(item.question_id)
            response = ChoiceAnswer(0) if question.type == "single" else NumberAnswer(128.0)
            service.answer_item(
                session=db,
                attempt=attempt,
                item=item,
                question=question,
                response=response,
                now=clock.now,
                tools=tools,
                encoder=quiz_app.state.sentence_encoder.get(),
            )
    with quiz_app.state.sessionmaker() as db:
        assert db.get(MockAttempt, attempt_id).finish_reason == "completed"
    assert soup(quiz_client.get(f"/mock/{attempt_id}")).select_one(".mock-results")


def test_an_attempt_left_open_with_every_answer_saved_shows_its_results(quiz_client, session, clock):
    attempt_id = start(quiz_client, types=["single"], count="1")
    question_id, fields = current(quiz_client, attempt_id)
    give(quiz_client, attempt_id, fields, question_id)
    attempt = session.get(MockAttempt, attempt_id)
    attempt.finished_at, attempt.finish_reason = None, None  # as an earlier race could leave it
    session.commit()
    assert soup(quiz_client.get(f"/mock/{attempt_id}")).select_one(".mock-results .score-value")
    session.expire_all()
    assert session.get(MockAttempt, attempt_id).finish_reason == "completed"


def test_a_lesson_sent_three_times_draws_each_question_once(quiz_client, session):
    attempt_id = start(quiz_client, lessons=["tokenization"] * 3, count="30")
    drawn = session.scalars(select(MockItem.question_id).where(MockItem.attempt_id == attempt_id)).all()
    assert sorted(drawn) == ["fx-numeric", "fx-single"]


def test_the_same_start_form_twice_starts_one_interview(quiz_client, session, clock):
    form = soup(quiz_client.get("/mock")).select_one("form.mock-form")
    key = form.select_one("input[name=start_key]")["value"]
    first = start(quiz_client, start_key=key)
    assert start(quiz_client, start_key=key) == first  # a double click
    assert start(quiz_client, start_key=key, minutes="20") != first  # the form was changed: a new one
    quiz_client.post(f"/mock/{first}/submit", data={"csrf_token": token(quiz_client)})
    assert start(quiz_client, start_key=key) not in (first,)  # that one is over: start afresh
    assert session.scalar(select(func.count()).select_from(MockAttempt)) == 3
    assert soup(quiz_client.get("/mock")).select_one("input[name=start_key]")["value"] != key


def test_weights_follow_the_self_assessment(quiz_app, quiz_client, session):
    card = soup(answer(quiz_client, "fx-free-text", text="No idea."))
    assert card.select_one(".verdict")["data-correct"] == "false"
    answer_id = card.select_one("article")["data-answer"]
    data = {"csrf_token": token(quiz_client), "grade": "good"}
    quiz_client.post(f"/quiz/answers/{answer_id}/self-grade", data=data, headers=HX)
    learner_id = session.scalar(select(Answer.learner_id))
    question = quiz_app.state.question_bank.get("fx-free-text")
    session.expire_all()
    weights = question_weights(
        session=session, learner_id=learner_id, candidates=[question], now=session.get(Answer, 1).answered_at
    )
    assert weights == {"fx-free-text": WEIGHT_RIGHT}  # as mastery counts it: right by the learner's word


@pytest.mark.parametrize("path", ["/mock/99999999999999999999999", "/mock/0", "/mock/-1"])
def test_an_out_of_range_attempt_id_is_a_422(quiz_client, path):
    assert quiz_client.get(path).status_code == 422
    data = {"csrf_token": token(quiz_client), "position": "1", "choice": "0"}
    for action in ("answer", "submit", "draft"):
        assert quiz_client.post(f"{path}/{action}", data=data).status_code == 422


def test_a_superscript_digit_is_not_a_choice(quiz_client, session):
    attempt_id = start(quiz_client, types=["single"], count="1")
    _, fields = current(quiz_client, attempt_id)
    response = quiz_client.post(f"/mock/{attempt_id}/answer", data={**fields, "choice": "²"}, headers=HX)
    assert response.status_code == 422
    assert count_answers(session) == 0


def _draft(client, attempt_id: int, text: str, position: str = "1"):
    data = {"csrf_token": token(client), "position": position, "text": text}
    return client.post(f"/mock/{attempt_id}/draft", data=data, headers=HX)


def _interview_answer(client) -> int:
    return start(client, types=["free_text"], count="1", minutes="5")


def test_a_typed_interview_answer_is_autosaved_and_restored(quiz_client, quiz_settings, clock):
    attempt_id = _interview_answer(quiz_client)
    textarea = soup(quiz_client.get(f"/mock/{attempt_id}")).select_one("#mock-item textarea[name=text]")
    assert textarea["hx-post"] == f"/mock/{attempt_id}/draft"
    assert textarea["hx-trigger"].startswith("input changed delay:1s")
    assert textarea.get_text() == ""
    saved = _draft(quiz_client, attempt_id, "Tokens, not\r\ncharacters")
    assert saved.status_code == 200 and "not an answer" in saved.text
    restarted = create_app(quiz_settings)  # reload after a restart: the draft is back in the box
    restarted.state.clock = clock
    with TestClient(restarted, cookies=quiz_client.cookies) as client:
        page = soup(client.get(f"/mock/{attempt_id}"))
    assert page.select_one("#mock-item textarea[name=text]").get_text() == "Tokens, not\ncharacters"
    assert "only a saved answer is graded" in page.select_one(".mock-draft-rule").get_text().lower()


def test_a_draft_left_at_the_deadline_is_shown_but_not_graded(quiz_client, session, clock):
    attempt_id = _interview_answer(quiz_client)
    _draft(quiz_client, attempt_id, "The model sees tokens, not characters, so counting letters is hard.")
    clock.advance(minutes=6)
    assert _draft(quiz_client, attempt_id, "too late").status_code == 409
    results = soup(quiz_client.get(f"/mock/{attempt_id}"))
    assert results.select_one(".score-value").get_text() == "0%"
    assert "0 of 1 answered" in results.select_one(".score-total").get_text()
    assert "counting letters" in results.select_one(".unsent-draft blockquote").get_text()
    assert count_answers(session) == 0


def test_an_answer_replaces_the_draft_and_a_late_draft_is_ignored(quiz_client, session):
    attempt_id = _interview_answer(quiz_client)
    _draft(quiz_client, attempt_id, "half an")
    _, fields = current(quiz_client, attempt_id)
    data = {**fields, "text": "Tokens, not characters."}
    assert quiz_client.post(f"/mock/{attempt_id}/answer", data=data, headers=HX).status_code == 204
    assert _draft(quiz_client, attempt_id, "half an answer").status_code == 204
    session.expire_all()
    assert session.scalar(select(MockItem.draft).where(MockItem.attempt_id == attempt_id)) is None


def test_drafts_are_bounded_and_owner_checked(quiz_app, quiz_client, session):
    attempt_id = _interview_answer(quiz_client)
    assert _draft(quiz_client, attempt_id, "x" * 5_001).status_code == 422
    assert _draft(quiz_client, attempt_id, "x" * 5_000).status_code == 200
    assert _draft(quiz_client, attempt_id, "x", position="2").status_code == 404
    with TestClient(quiz_app) as stranger:
        assert _draft(stranger, attempt_id, "mine now").status_code == 404
    other = start(quiz_client, types=["single"], count="1")
    assert _draft(quiz_client, other, "a draft of a choice").status_code == 422
    session.expire_all()
    drafts = session.scalars(select(MockItem.draft).order_by(MockItem.id)).all()
    assert drafts == ["x" * 5_000, None]
