"""The grader's fixed texts are embedded once MiniLM has loaded, not on a learner's first answer."""

import pytest

from app.embeddings.model import SentenceEncoder, load_sentence_encoder
from app.quiz.grading import grade_free_text
from app.quiz.schemas import TextAnswer
from app.quiz.warmup import fixed_texts, warm_grader

ANSWER = "It depends on the tokens. The model reads them and predicts the next one, which is not magic."


@pytest.fixture(scope="module")
def fresh_encoder() -> SentenceEncoder:
    """A second MiniLM with nothing remembered (the session's encoder has embedded the bank already)."""
    return load_sentence_encoder.__wrapped__()


def _spy(monkeypatch, encoder: SentenceEncoder) -> list[str]:
    """Every text the encoder embeds from now on (it still embeds them)."""
    seen: list[str] = []
    encode = encoder.encode

    def recording(texts: list[str]):
        seen.extend(texts)
        return encode(texts)

    monkeypatch.setattr(encoder, "encode", recording)
    return seen


def test_after_the_warm_up_grading_embeds_only_the_answer(monkeypatch, real_bank, fresh_encoder):
    free_text = [q for q in real_bank.questions.values() if q.type == "free_text"]
    seen = _spy(monkeypatch, fresh_encoder)
    first, rest = free_text[0], free_text[1:]
    grade_free_text(first, TextAnswer(ANSWER), fresh_encoder)
    assert set(fixed_texts(first.spec)) <= set(seen)  # cold: the first grading embedded its fixed texts

    warmed = warm_grader(fresh_encoder, real_bank)
    assert warmed == len({text for q in free_text for text in fixed_texts(q.spec)})
    seen.clear()
    for question in rest:
        grade_free_text(question, TextAnswer(ANSWER), fresh_encoder)
    fixed = {text for q in free_text for text in fixed_texts(q.spec)}
    assert seen and not fixed & set(seen)  # only the answer's sentences and clauses were embedded


def test_the_lab_warms_the_grader_in_the_background_after_start(client, real_bank):
    handle = client.app.state.grader_warmup
    assert handle.started_at is not None  # started with the lab (its lifespan), not on first use
    assert handle.wait(timeout=300) == warm_grader(client.app.state.sentence_encoder.get(), real_bank)
