"""Answering over HTTP: feedback, try again, idempotency, bad input, mastery, self-assessment, htmx."""

import pytest
from sqlalchemy import func, select

from app.quiz.models import Answer
from app.review.models import ReviewLog
from tests.quiz.helpers import HX, answer, question_form, soup, token


def _count(session, model) -> int:
    session.expire_all()
    return session.scalar(select(func.count()).select_from(model))


def test_right_answer_shows_feedback_explanation_and_the_paragraph(quiz_client):
    response = answer(quiz_client, "fx-single", choice="0")
    assert response.status_code == 200
    html = soup(response)
    assert html.select_one("html") is None  # a partial for htmx
    card = html.select_one("article.question-card.is-answered")
    assert card.select_one(".verdict.is-right")
    assert "most frequent adjacent pair" in card.select_one(".explanation").get_text()
    link = card.select_one(".question-links a[href^='/lessons/']")
    assert link["href"] == "/lessons/tokenization#tokenization-algorithms"
    retry = card.select_one("a[hx-get]")
    assert retry["hx-get"].startswith("/quiz/questions/fx-single")


def test_wrong_answer_is_shown_beside_the_right_one(quiz_client):
    card = soup(answer(quiz_client, "fx-multiple", choice=["0", "1"]))
    assert card.select_one(".verdict.is-wrong")
    expected = [li.get_text(strip=True) for li in card.select(".answer-compare .expected li")]
    assert expected == ["tiktoken", "SentencePiece in BPE mode"]


def test_the_page_without_htmx_embeds_the_same_partial(quiz_client):
    response = answer(quiz_client, "fx-single", hx=False, choice="0")
    html = soup(response)
    assert html.select_one("html") and html.select_one("main article.question-card.is-answered")


def test_question_card_partial_and_page(quiz_client):
    partial = soup(quiz_client.get("/quiz/questions/fx-numeric", headers=HX))
    full = soup(quiz_client.get("/quiz/questions/fx-numeric"))
    assert partial.select_one("html") is None and partial.select_one("article.question-card form")
    assert full.select_one("main article.question-card form") and full.select_one("nav[aria-label=Main]")


def test_same_submission_twice_is_saved_once(quiz_client, session):
    form = question_form(quiz_client, "fx-single")
    first = answer(quiz_client, "fx-single", form=form, choice="0")
    second = answer(quiz_client, "fx-single", form=form, choice="0")
    assert first.status_code == second.status_code == 200
    assert (
        soup(first).select_one("article")["data-answer"] == soup(second).select_one("article")["data-answer"]
    )
    assert _count(session, Answer) == 1 and _count(session, ReviewLog) == 1


def test_try_again_is_a_new_submission(quiz_client, session):
    answer(quiz_client, "fx-single", choice="2")
    answer(quiz_client, "fx-single", choice="0")
    assert _count(session, Answer) == 2


def test_a_key_reused_for_another_question_is_refused(quiz_client, session):
    form = question_form(quiz_client, "fx-single")
    answer(quiz_client, "fx-single", form=form, choice="0")
    response = answer(quiz_client, "fx-numeric", form=form, value="1333")
    assert response.status_code == 409
    assert _count(session, Answer) == 1


@pytest.mark.parametrize(
    ("question_id", "fields", "status"),
    [
        ("no-such-question", {"choice": "0"}, 404),
        ("fx-single", {"choice": "9"}, 422),
        ("fx-single", {"value": "3"}, 422),
        ("fx-numeric", {"value": "lots"}, 422),
        ("fx-numeric", {"choice": "1"}, 422),
        ("fx-free-text", {"text": "t" * 5001}, 422),
        ("fx-free-text", {"text": "t" * 30_000}, 422),
        ("fx-multiple", {"choice": [str(i % 4) for i in range(11)]}, 422),
    ],
)
def test_bad_answers_get_a_clear_4xx_and_write_nothing(quiz_client, session, question_id, fields, status):
    form = question_form(quiz_client, "fx-single")
    response = answer(quiz_client, question_id, form=form, **fields)
    assert response.status_code == status
    assert soup(response).select_one(".error-message").get_text(strip=True)
    assert _count(session, Answer) == 0 and _count(session, ReviewLog) == 0


def test_generated_answer_without_its_seed_is_refused(quiz_client, session):
    form = question_form(quiz_client, "fx-attention-ratio")
    form.pop("seed")
    response = answer(quiz_client, "fx-attention-ratio", form=form, value="64")
    assert response.status_code == 422 and _count(session, Answer) == 0


def test_generated_question_is_graded_against_its_seed(quiz_client, quiz_app):
    from app.quiz.generated import generate

    form = question_form(quiz_client, "fx-attention-ratio")
    instance = generate("attention_cost_ratio", int(form["seed"]), quiz_app.state.generator_tools)
    assert soup(
        answer(quiz_client, "fx-attention-ratio", form=form, value=f"{instance.answer:g}")
    ).select_one(".verdict.is-right")
    form = question_form(quiz_client, "fx-attention-ratio")
    wrong = generate("attention_cost_ratio", int(form["seed"]), quiz_app.state.generator_tools).answer + 1
    assert soup(answer(quiz_client, "fx-attention-ratio", form=form, value=f"{wrong:g}")).select_one(
        ".verdict.is-wrong"
    )


def test_missing_csrf_token_is_refused(quiz_client, session):
    form = question_form(quiz_client, "fx-single")
    form.pop("csrf_token")
    response = quiz_client.post("/quiz/questions/fx-single/answer", data={**form, "choice": "0"})
    assert response.status_code == 403 and _count(session, Answer) == 0


def test_mastery_updates_on_the_lesson_and_home_page(quiz_client):
    def lesson_mastery():
        return soup(quiz_client.get("/lessons/attention-mechanism")).select_one(
            "#mastery-attention-mechanism meter"
        )["value"]

    assert lesson_mastery() == "0"
    response = answer(quiz_client, "fx-heads", value="128")
    oob = soup(response).select_one("#mastery-attention-mechanism[hx-swap-oob]")
    assert oob.select_one("meter")["value"] == "50"  # 1 of the lesson's 2 questions
    assert lesson_mastery() == "50"
    answer(quiz_client, "fx-heads", value="4")  # the latest answer counts
    assert lesson_mastery() == "0"
    answer(quiz_client, "fx-heads", value="128")
    chip = soup(quiz_client.get("/")).select_one(
        '.lesson-card[data-slug="attention-mechanism"] .mastery-chip'
    )
    assert chip["data-mastery"] == "50"


def test_lesson_page_ends_with_its_quiz(quiz_client):
    html = soup(quiz_client.get("/lessons/tokenization"))
    quiz = html.select_one("section.lesson-quiz")
    ids = [card["data-question"] for card in quiz.select("article.question-card")]
    assert ids == [
        "fx-single",
        "fx-multiple",
        "fx-numeric",
        "fx-token-count",
        "fx-request-cost",
        "fx-free-text",
    ]
    extra = quiz.find_parent(class_="lesson-extra")
    assert extra.find_next_siblings(["h2", "h3"]) == []  # after the lesson's last section


def test_free_text_feedback_and_self_assessment(quiz_client, session, clock):
    text = "It only sees tokens, chunks of the word rather than characters, so counting is unreliable."
    card = soup(answer(quiz_client, "fx-free-text", text=text))
    points = card.select(".rubric li")
    assert len(points) == 4 and points[0]["data-covered"] == "true" and points[3]["data-covered"] == "false"
    assert card.select_one(".model-answer")
    answer_id = card.select_one("article")["data-answer"]
    clock.advance(minutes=2)
    form = {"csrf_token": token(quiz_client), "grade": "easy"}
    response = quiz_client.post(f"/quiz/answers/{answer_id}/self-grade", data=form, headers=HX)
    assert soup(response).select_one("button[aria-pressed=true]")["value"] == "easy"
    session.expire_all()
    saved = session.get(Answer, int(answer_id))
    graded_right = card.select_one(".verdict")["data-correct"] == "true"
    assert (saved.self_grade, saved.correct) == ("easy", graded_right)  # both verdicts kept
    sources = session.scalars(select(ReviewLog.source).order_by(ReviewLog.id)).all()
    assert sources == ["answer", "self_grade"]


def test_self_assessment_only_for_interview_answers(quiz_client):
    answer_id = soup(answer(quiz_client, "fx-single", choice="0")).select_one("article")["data-answer"]
    response = quiz_client.post(
        f"/quiz/answers/{answer_id}/self-grade",
        data={"csrf_token": token(quiz_client), "grade": "good"},
        headers=HX,
    )
    assert response.status_code == 422


def test_another_learner_cannot_self_grade_my_answer(quiz_app, quiz_client):
    from fastapi.testclient import TestClient

    card = soup(answer(quiz_client, "fx-free-text", text="Tokens, not characters."))
    answer_id = card.select_one("article")["data-answer"]
    with TestClient(quiz_app) as stranger:
        response = stranger.post(
            f"/quiz/answers/{answer_id}/self-grade",
            data={"csrf_token": token(stranger), "grade": "easy"},
            headers=HX,
        )
    assert response.status_code == 404


def test_generated_numbers_stay_on_reload_and_change_after_an_answer(quiz_client):
    def shown_seed():
        card = soup(quiz_client.get("/lessons/attention-mechanism")).select_one(
            '[data-question="fx-attention-ratio"]'
        )
        return card.select_one("input[name=seed]")["value"]

    first = shown_seed()
    assert shown_seed() == first == question_form(quiz_client, "fx-attention-ratio")["seed"]
    answer(quiz_client, "fx-attention-ratio", value="1")
    assert shown_seed() != first


@pytest.mark.parametrize("choice", ["²", "١", "𝟘"])
def test_a_digit_int_cannot_read_is_not_a_choice(quiz_client, session, choice):
    response = answer(quiz_client, "fx-single", choice=choice)
    assert response.status_code == 422
    assert "not one of the 3 choices" in soup(response).select_one(".error-message").get_text()
    assert _count(session, Answer) == 0


@pytest.mark.parametrize("answer_id", ["99999999999999999999999", "9223372036854775808", "0"])
def test_an_out_of_range_answer_id_is_a_422(quiz_client, answer_id):
    data = {"csrf_token": token(quiz_client), "grade": "good"}
    assert quiz_client.post(f"/quiz/answers/{answer_id}/self-grade", data=data).status_code == 422


def test_a_seed_the_server_did_not_issue_is_refused(quiz_client, session):
    form = question_form(quiz_client, "fx-attention-ratio")
    forged = str((int(form["seed"]) + 1) % 2**31)
    response = answer(quiz_client, "fx-attention-ratio", form={**form, "seed": forged}, value="4")
    assert response.status_code == 422
    assert "not the ones shown" in soup(response).select_one(".error-message").get_text()
    assert _count(session, Answer) == 0


def test_a_seed_shown_before_an_answer_elsewhere_is_still_accepted(quiz_client, session):
    older_tab = question_form(quiz_client, "fx-attention-ratio")
    answer(quiz_client, "fx-attention-ratio", value="1")  # answered in another tab: the numbers move on
    assert answer(quiz_client, "fx-attention-ratio", form=older_tab, value="1").status_code == 200
    assert _count(session, Answer) == 2
