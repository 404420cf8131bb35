"""Embed the grader's fixed texts once MiniLM has loaded, so that no learner pays for them.

Grading an interview answer compares it with the question's key points, its misconceptions (the wrong
claim and the right one) and the model answer's sentences. Those are fixed: the encoder remembers them
(SentenceEncoder.encode_cached), but only after the first grading of each question has embedded them, which
made that grading several times slower than the rest. The warm-up embeds them all on a background thread as
soon as the encoder is ready; the lab does not wait for it, and a grading that comes first simply embeds
what it needs itself.
"""

from app.embeddings.handle import BackgroundLoad
from app.embeddings.model import SentenceEncoder
from app.quiz.bank import FreeTextSpec, QuestionBank
from app.quiz.sentences import split_sentences

BATCH = 64  # texts per call: the encoder's lock is held per call, so a grading waits for one batch at most


def fixed_texts(spec: FreeTextSpec) -> list[str]:
    """What grading a free-text question embeds besides the answer (app/quiz/grading.py: assess)."""
    points = [point.point for point in spec.rubric]
    claims = [claim for m in spec.misconceptions for claim in (m.claim, m.right)]
    return [*points, *claims, *split_sentences(spec.model_answer)]


def warm_grader(encoder: SentenceEncoder, bank: QuestionBank) -> int:
    """Embed every free-text question's fixed texts into the encoder's cache; the number of texts."""
    texts = list(
        dict.fromkeys(
            text
            for question in bank.questions.values()
            if question.type == "free_text"
            for text in fixed_texts(question.spec)
        )
    )
    for start in range(0, len(texts), BATCH):
        encoder.encode_cached(texts[start : start + BATCH])
    return len(texts)


def grader_warmup_handle(encoder: BackgroundLoad[SentenceEncoder], bank: QuestionBank) -> BackgroundLoad[int]:
    """The warm-up's handle: once started, it waits for the encoder, then embeds (app.state.grader_warmup)."""
    return BackgroundLoad(lambda: warm_grader(encoder.wait(), bank), what="The grader's warm-up")
