"""Interview answers as an interviewer hears them: word lists, echoes, bad input, evidence and follow-ups."""

import pytest

from app.quiz.echoes import echoes_point, echoes_question
from app.quiz.grading import MAX_SENTENCES, NO_SENTENCE, ONLY_ECHOES, TOO_LONG, grade_free_text
from app.quiz.readable import NO_WORDS, NOT_ENGLISH, ONLY_CODE
from app.quiz.schemas import TextAnswer
from tests.quiz.helpers import HX, answer, soup, token

WHY = 'Interview question: "Why did transformers replace RNNs and LSTMs?"'
POINT = "Transformers process all tokens in parallel via self-attention"


@pytest.mark.parametrize(
    ("sentence", "echo"),
    [
        ("Transformers replaced RNNs and LSTMs because transformers are better than RNNs and LSTMs.", True),
        ("Why did transformers replace RNNs? That is why transformers replaced RNNs.", True),
        ("Because transformers are parallel and RNNs are not.", False),
        ("RNNs are sequential.", False),
        ("Attention lets any token reach any other, which RNNs cannot do.", False),
    ],
)
def test_saying_the_question_back_is_an_echo(sentence, echo):
    assert echoes_question(sentence, WHY) is echo


def test_a_key_point_word_for_word_is_an_echo_and_a_paraphrase_is_not():
    assert echoes_point(POINT + ".", POINT, WHY)
    assert not echoes_point("Transformers look at every token at once with attention.", POINT, WHY)
    assert not echoes_point(
        "RNNs are sequential.", "RNNs are sequential: each token waits on the previous ones", WHY
    )


@pytest.mark.parametrize(
    ("question_id", "text"),
    [
        (
            "attn-explain-ft",
            "query key value dot product sqrt scale softmax weights weighted sum mask causal future",
        ),
        (
            "param-temperature-ft",
            "logits, softmax, divide by T, greedy, deterministic, flatten, random, same ranking",
        ),
        (
            "emb-explain-ft",
            "dense vector; semantic similarity; cosine; meaning not keywords; RAG, clustering",
        ),
    ],
)
def test_a_keyword_list_covers_nothing_and_is_told_to_answer_in_sentences(
    real_bank, sentence_encoder, question_id, text
):
    result = grade_free_text(real_bank.get(question_id), TextAnswer(text), sentence_encoder)
    assert not result.correct and result.score == 0
    assert result.detail["message"] == NO_SENTENCE
    assert not any(point["covered"] for point in result.detail["points"])


def test_the_question_said_back_covers_nothing(real_bank, sentence_encoder):
    question = real_bank.get("arch-why-transformers-won-ft")
    text = "Why did transformers replace RNNs and LSTMs? Transformers replaced RNNs and LSTMs."
    result = grade_free_text(question, TextAnswer(text), sentence_encoder)
    assert not result.correct and result.score == 0
    assert result.detail["message"] == ONLY_ECHOES and len(result.detail["echoes"]) == 2


def test_the_key_points_pasted_back_cover_nothing(real_bank, sentence_encoder):
    question = real_bank.get("arch-why-transformers-won-ft")
    pasted = ". ".join(point.point for point in question.spec.rubric) + "."
    result = grade_free_text(question, TextAnswer(pasted), sentence_encoder)
    assert not result.correct and result.score == 0
    assert result.detail["message"] == ONLY_ECHOES


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("?!?! ... --- !!!", NO_WORDS),
        ("12345 + 678 = ?", NO_WORDS),
        ("def attention(q, k, v):\n    s = q @ k.T / math.sqrt(d)\n    return softmax(s) @ v", ONLY_CODE),
        ("```python\nscores = q @ k.T\n```", ONLY_CODE),
        ("El coste de la atención crece de forma cuadrática con la longitud de la secuencia.", NOT_ENGLISH),
        (
            "Le coût de l'attention est quadratique en la longueur de la séquence et il faut des méthodes.",
            NOT_ENGLISH,
        ),
        ("注意力的计算成本与序列长度成二次方关系。", NOT_ENGLISH),
        ("Внимание стоит квадратично по длине последовательности.", NOT_ENGLISH),
    ],
)
def test_answers_that_cannot_be_graded_get_a_message_not_an_error(real_bank, sentence_encoder, text, message):
    result = grade_free_text(real_bank.get("attn-quadratic-ft"), TextAnswer(text), sentence_encoder)
    assert (result.correct, result.score, result.detail["message"]) == (False, 0, message)


def test_code_beside_sentences_is_set_aside_and_the_sentences_graded(real_bank, sentence_encoder):
    question = real_bank.get("attn-quadratic-ft")
    text = question.spec.model_answer + "\n\n```python\nscores = q @ k.T  # (n, n)\n```"
    assert grade_free_text(question, TextAnswer(text), sentence_encoder).correct


def test_a_five_thousand_character_answer_is_graded_up_to_its_first_sentences(real_bank, sentence_encoder):
    question = real_bank.get("attn-quadratic-ft")
    text = (question.spec.model_answer + " ") * 10
    text = text[:5000]
    result = grade_free_text(question, TextAnswer(text), sentence_encoder)
    assert result.correct
    graded = int(result.detail["message"].split()[3])
    assert result.detail["message"] == TOO_LONG.format(n=graded) and 1 <= graded <= MAX_SENTENCES


def test_evidence_is_the_learners_sentence_and_a_missed_point_shows_the_model_answers(
    real_bank, sentence_encoder
):
    question = real_bank.get("attn-quadratic-ft")
    said = "Every token is compared with every other token, so the cost is quadratic in the length."
    result = grade_free_text(question, TextAnswer(said + " I am not sure about the rest."), sentence_encoder)
    first, *others = result.detail["points"]
    assert first["covered"] and first["evidence"] == said
    for point in others:
        if not point["covered"]:
            assert point["evidence"] is None and point["model_sentence"] in question.spec.model_answer


def test_the_follow_up_goes_to_the_first_missed_point(real_bank, sentence_encoder):
    question = real_bank.get("attn-quadratic-ft")
    said = "Every token is compared with every other token, so the cost is quadratic in the length."
    result = grade_free_text(question, TextAnswer(said), sentence_encoder)
    covered = [point["covered"] for point in result.detail["points"]]
    missed = covered.index(False)
    assert result.detail["follow_up"] == {"point": missed, "question": question.spec.rubric[missed].follow_up}
    full = grade_free_text(question, TextAnswer(question.spec.model_answer), sentence_encoder)
    assert full.detail["follow_up"] is None


def _feedback(quiz_client, text: str):
    return soup(answer(quiz_client, "fx-free-text", text=text))


def test_feedback_marks_the_evidence_and_names_a_misconception(quiz_client):
    said = "The model only sees tokens, never the characters."
    card = _feedback(quiz_client, f"{said} It sees the letters but cannot count them.")
    marks = [mark.get_text() for mark in card.select(".given-text mark.evidence-mark")]
    evidence = [q.get_text() for q in card.select(".rubric li.is-covered .point-evidence q")]
    assert said in marks and sorted(set(evidence)) == sorted(marks)
    assert all(li.select_one(".point-model q") for li in card.select(".rubric li.is-missed"))
    wrong = card.select_one(".misconceptions .misconception")
    assert "sees the individual letters" in wrong.select_one(".misconception-claim").get_text()
    assert "never sees the letters" in wrong.select_one(".misconception-right").get_text()
    assert card.select_one(".verdict")["data-correct"] == "false"


def test_a_word_list_gets_the_message_in_the_feedback(quiz_client):
    card = _feedback(quiz_client, "tokens, not characters, opaque IDs, counting approximate, spell out, code")
    assert card.select_one(".grader-message").get_text() == NO_SENTENCE
    assert not card.select(".rubric li.is-covered")


def test_the_lesson_quiz_offers_the_follow_up_and_grades_it_in_place(quiz_client):
    card = _feedback(quiz_client, "The model only sees tokens, never the characters.")
    offer = card.select_one("section.follow-up")
    assert offer["data-follow-up"] == "open"
    assert offer.select_one(".follow-up-lead").get_text() == "An interviewer would now ask:"
    assert (
        offer.select_one(".follow-up-question").get_text()
        == "Can the model see the characters inside a token?"
    )
    action = offer.select_one("form")["hx-post"]
    reply = (
        "No: each token is a single opaque integer ID that maps to an embedding, so its letters are hidden."
    )
    response = quiz_client.post(action, data={"csrf_token": token(quiz_client), "text": reply}, headers=HX)
    part = soup(response)
    assert part.select_one("html") is None
    assert part.select_one("section.follow-up")["data-follow-up"] == "recovered"
    assert "Recovered on follow-up" in part.select_one(".follow-up-result").get_text()
    again = quiz_client.post(
        action, data={"csrf_token": token(quiz_client), "text": "Something else."}, headers=HX
    )
    assert again.status_code == 409
    empty = quiz_client.post(action, data={"csrf_token": token(quiz_client), "text": "  "}, headers=HX)
    assert empty.status_code == 409  # already answered comes first


def test_a_follow_up_reply_must_make_the_point(quiz_client):
    card = _feedback(quiz_client, "The model only sees tokens, never the characters.")
    action = card.select_one("section.follow-up form")["hx-post"]
    assert (
        quiz_client.post(action, data={"csrf_token": token(quiz_client), "text": ""}, headers=HX).status_code
        == 422
    )
    response = quiz_client.post(
        action,
        data={"csrf_token": token(quiz_client), "text": "I think it is about the training data."},
        headers=HX,
    )
    part = soup(response)
    assert part.select_one("section.follow-up")["data-follow-up"] == "missed"
    assert part.select_one(".follow-up-result q")  # the model answer's sentence for the point


def test_someone_elses_follow_up_is_a_404(quiz_app, quiz_client):
    from fastapi.testclient import TestClient

    card = _feedback(quiz_client, "The model only sees tokens, never the characters.")
    action = card.select_one("section.follow-up form")["hx-post"]
    with TestClient(quiz_app) as stranger:
        response = stranger.post(
            action, data={"csrf_token": token(stranger), "text": "Mine now."}, headers=HX
        )
    assert response.status_code == 404
