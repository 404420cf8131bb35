"""The interviewer's follow-up: one question on the most important point an interview answer missed, answered
and graded in place against that one point.

The grader offers it with the answer (grading["follow_up"]: the point's index and its follow-up question from
content/questions). The reply is kept on the answer (Answer.follow_up): "recovered" when a statement of the
reply makes the point and the reply asserts none of the question's misconceptions. The first answer's grade is
never changed by it: a recovery is counted beside it, as an interviewer would note it.
"""

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from app.embeddings.model import SentenceEncoder
from app.quiz.bank import FreeTextSpec, Question
from app.quiz.grading import assess, misconceptions_json
from app.quiz.models import Answer
from app.quiz.schemas import MAX_TEXT_CHARS, AnswerInputError


class FollowUpError(ValueError):
    """The answer has no follow-up, or its follow-up already has another reply."""


def offered(answer: Answer | None) -> dict[str, Any] | None:
    """The follow-up the grader offered with this answer: {"point": index, "question": text}, or None."""
    if answer is None or not answer.grading:
        return None
    return answer.grading.get("follow_up")


def is_pending(answer: Answer | None) -> bool:
    """Whether the answer was offered a follow-up that has no reply yet (answered or skipped)."""
    return offered(answer) is not None and answer.follow_up is None


def follow_up_text(text: str | None) -> str:
    """The typed reply, checked like an interview answer; AnswerInputError says what is wrong."""
    if text is None or not text.strip():
        raise AnswerInputError("Write an answer to the follow-up first, or skip it.")
    if len(text) > MAX_TEXT_CHARS:
        raise AnswerInputError(
            f"An answer is at most {MAX_TEXT_CHARS:,} characters; this one has {len(text):,}."
        )
    return text.strip()


def grade_follow_up(question: Question, point: int, text: str, encoder: SentenceEncoder) -> dict[str, Any]:
    """A reply graded against its one point: covered, the sentence that covered it, misconceptions."""
    spec: FreeTextSpec = question.spec
    asked = spec.rubric[point].follow_up
    found = assess(spec, text, encoder, points=[point], asked=f"{spec.prompt} {asked}")
    [coverage] = found.coverage
    return {
        "point": point,
        "question": asked,
        "text": text,
        "covered": coverage.covered,
        "recovered": coverage.covered and not found.asserted,
        "evidence": coverage.evidence,
        "similarity": coverage.similarity,
        "model_sentence": coverage.model_sentence,
        "misconceptions": misconceptions_json(found.asserted),
        "message": found.reading.message,
        "skipped": False,
    }


def answer_follow_up(
    *,
    session: Session,
    answer: Answer,
    question: Question,
    text: str | None,
    now: datetime,
    encoder: SentenceEncoder,
) -> Answer:
    """Grade and keep the reply to the answer's follow-up (None: skipped); the caller commits.

    The same reply again (a double click) returns the answer as it is; a different one is refused.
    """
    offer = offered(answer)
    if offer is None or question.type != "free_text" or offer["point"] >= len(question.spec.rubric):
        raise FollowUpError("This answer has no follow-up question.")
    if answer.follow_up is not None:
        kept = answer.follow_up
        if (text is None and kept.get("skipped")) or (text is not None and kept.get("text") == text.strip()):
            return answer
        raise FollowUpError("The follow-up already has an answer.")
    typed = None if text is None else follow_up_text(text)
    if typed is None:
        reply = {"point": offer["point"], "question": offer["question"], "skipped": True, "recovered": False}
    else:
        reply = grade_follow_up(question, offer["point"], typed, encoder)
    answer.follow_up = {**reply, "answered_at": now.isoformat()}
    session.flush()
    return answer
