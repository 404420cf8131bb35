"""Answering questions: present, grade, save (once per submission key), schedule, and mastery per lesson."""

import hashlib
import uuid
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache

from markupsafe import Markup
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.embeddings.model import SentenceEncoder
from app.lessons.render import markdown
from app.quiz.bank import Question, QuestionBank
from app.quiz.generated import SEED_MAX, GeneratedInstance, GeneratorTools, generate, new_seed
from app.quiz.grading import grade
from app.quiz.models import Answer
from app.quiz.schemas import Response, TextAnswer, response_from_json, response_json
from app.quiz.sentences import marked_segments
from app.review.scheduling import SELF_GRADES, override_rating, rating_for, record_review

SELF_GRADE_RIGHT = frozenset({"hard", "good", "easy"})


class AnswerConflictError(ValueError):
    """A submission key already used for another question."""


@lru_cache(maxsize=1024)
def _markdown_html(text: str) -> Markup:
    # The same numbers come back on every reload until the learner answers (the seed is kept per try).
    return Markup(markdown().render(text))


def numbers_html(instance: GeneratedInstance | None) -> Markup:
    """A generated question's numbers as HTML (empty for other questions)."""
    return _markdown_html(instance.body_md) if instance else Markup("")


@dataclass(frozen=True)
class Presented:
    """A question as shown once: its seed and numbers (generated), and the key of its one submission."""

    question: Question
    seed: int | None
    instance: GeneratedInstance | None
    submission_key: str

    @property
    def body_html(self) -> Markup:
        """The generated numbers (table, text, tokens) as HTML; empty for fixed questions."""
        return numbers_html(self.instance)


@dataclass(frozen=True)
class AnswerView:
    """A saved answer as feedback shows it: beside the right answer, with its question's generated numbers."""

    question: Question
    answer: Answer
    instance: GeneratedInstance | None

    @property
    def response(self) -> Response | None:
        """The answer as given (None: skipped)."""
        return response_from_json(self.answer.response)

    @property
    def counts_as_right(self) -> bool:
        """Right or wrong as it counts everywhere (effective_correct: the self-assessment when given)."""
        return effective_correct(self.answer)

    @property
    def given_segments(self) -> list[tuple[str, bool]] | None:
        """An interview answer in pieces, the sentences that made a key point marked (None: not free text)."""
        response = self.response
        if not isinstance(response, TextAnswer):
            return None
        points = (self.answer.grading or {}).get("points") or []
        return marked_segments(response.text, [p["evidence"] for p in points if p.get("evidence")])

    @property
    def numbers_html(self) -> Markup:
        """The generated numbers the answer was given to."""
        return numbers_html(self.instance)

    @property
    def working_html(self) -> Markup:
        """How the right number is worked out with those numbers."""
        return Markup(markdown().renderInline(self.instance.working_md)) if self.instance else Markup("")


def new_submission_key() -> str:
    """A fresh key for one showing of a question's form."""
    return uuid.uuid4().hex


def instance_for(question: Question, seed: int | None, tools: GeneratorTools) -> GeneratedInstance | None:
    """The numbers of a generated question for this seed (None for other types)."""
    if question.type != "generated":
        return None
    return _generated(question.spec.generator, seed or 0, tools)


@lru_cache(maxsize=4096)
def _generated(generator: str, seed: int, tools: GeneratorTools) -> GeneratedInstance:
    # A learner's seed stays the same until they answer, so a lesson's reloads draw the same numbers.
    return generate(generator, seed, tools)


def present(
    question: Question, *, tools: GeneratorTools, seed: int | None = None, submission_key: str | None = None
) -> Presented:
    """A question ready to show; a generated one gets a fresh seed unless one is given."""
    if question.type == "generated" and seed is None:
        seed = new_seed()
    if question.type != "generated":
        seed = None
    return Presented(
        question=question,
        seed=seed,
        instance=instance_for(question, seed, tools),
        submission_key=submission_key or new_submission_key(),
    )


def try_seed(*, learner_id: str, question_id: str, tries: int) -> int:
    """The seed of a learner's next try at a question: the same on every reload until they answer it."""
    digest = hashlib.sha256(f"{learner_id}:{question_id}:{tries}".encode()).digest()
    return int.from_bytes(digest[:4], "big") & SEED_MAX


def seed_was_issued(*, session: Session, learner_id: str, question_id: str, seed: int) -> bool:
    """Whether the server showed the learner this seed for the question (at any try so far, or the next)."""
    tries = session.scalar(
        select(func.count())
        .select_from(Answer)
        .where(Answer.learner_id == learner_id, Answer.question_id == question_id)
    )
    return any(
        try_seed(learner_id=learner_id, question_id=question_id, tries=n) == seed for n in range(tries + 1)
    )


def present_for_learner(
    *, session: Session, learner_id: str, questions: list[Question], tools: GeneratorTools
) -> list[Presented]:
    """The questions as this learner's next tries: generated numbers change only once a try is answered."""
    tries = dict(
        session.execute(
            select(Answer.question_id, func.count())
            .where(Answer.learner_id == learner_id, Answer.question_id.in_([q.id for q in questions]))
            .group_by(Answer.question_id)
        ).all()
    )
    return [
        present(
            q, tools=tools, seed=try_seed(learner_id=learner_id, question_id=q.id, tries=tries.get(q.id, 0))
        )
        for q in questions
    ]


def answer_view(question: Question, answer: Answer, tools: GeneratorTools) -> AnswerView:
    """The feedback view of a saved answer; generated numbers are recomputed from its seed."""
    return AnswerView(question=question, answer=answer, instance=instance_for(question, answer.seed, tools))


def answer_by_key(*, session: Session, learner_id: str, submission_key: str) -> Answer | None:
    """The learner's answer saved under this submission key, if any."""
    return session.scalars(
        select(Answer).where(Answer.learner_id == learner_id, Answer.submission_key == submission_key)
    ).one_or_none()


def add_answer(
    *,
    session: Session,
    learner_id: str,
    question: Question,
    response: Response | None,
    seed: int | None,
    submission_key: str,
    now: datetime,
    tools: GeneratorTools,
    encoder: SentenceEncoder | None,
) -> Answer:
    """Grade the answer, add it and rate its review card; the caller commits (it owns the transaction)."""
    result = grade(question, response, instance=instance_for(question, seed, tools), encoder=encoder)
    answer = Answer(
        learner_id=learner_id,
        submission_key=submission_key,
        question_id=question.id,
        seed=seed,
        response=response_json(response),
        score=result.score,
        correct=result.correct,
        grading=result.detail,
        answered_at=now,
    )
    session.add(answer)
    session.flush()
    record_review(
        session=session,
        learner_id=learner_id,
        question_id=question.id,
        rating=rating_for(result.correct),
        reviewed_at=now,
        answer_id=answer.id,
        logged_at=now,
    )
    return answer


def submit_answer(
    *,
    session: Session,
    learner_id: str,
    question: Question,
    response: Response,
    seed: int | None,
    submission_key: str,
    now: datetime,
    tools: GeneratorTools,
    encoder: SentenceEncoder | None,
) -> Answer:
    """Save one graded answer in one transaction; the same submission key again returns the first answer."""
    existing = answer_by_key(session=session, learner_id=learner_id, submission_key=submission_key)
    if existing is None:
        try:
            existing = add_answer(
                session=session,
                learner_id=learner_id,
                question=question,
                response=response,
                seed=seed,
                submission_key=submission_key,
                now=now,
                tools=tools,
                encoder=encoder,
            )
            session.commit()
        except IntegrityError:  # the same submission raced in from another request
            session.rollback()
            existing = answer_by_key(session=session, learner_id=learner_id, submission_key=submission_key)
            if existing is None:
                raise
    if existing.question_id != question.id:
        raise AnswerConflictError("This form was already used to answer another question. Reload the page.")
    return existing


def get_answer(*, session: Session, learner_id: str, answer_id: int) -> Answer | None:
    """The learner's own answer with this id; None for anyone else's."""
    answer = session.get(Answer, answer_id)
    return answer if answer is not None and answer.learner_id == learner_id else None


def self_grade(
    *, session: Session, answer: Answer, question: Question, grade_name: str, now: datetime
) -> Answer:
    """Keep the learner's own verdict beside the automatic grade and reschedule with it (free text only)."""
    if question.type != "free_text":
        raise ValueError("Only interview (free-text) answers can be self-assessed.")
    if grade_name not in SELF_GRADES:
        raise ValueError(f"A self-assessment is one of {', '.join(SELF_GRADES)}.")
    if answer.self_grade != grade_name:
        answer.self_grade = grade_name
        answer.self_graded_at = now
        override_rating(
            session=session,
            learner_id=answer.learner_id,
            question_id=answer.question_id,
            answer_id=answer.id,
            rating=SELF_GRADES[grade_name],
            reviewed_at=answer.answered_at,
            logged_at=now,
        )
        session.commit()
    return answer


def effective_correct(answer: Answer) -> bool:
    """Right or wrong as it counts: the learner's self-assessment when given, else the grader's."""
    return answer.self_grade in SELF_GRADE_RIGHT if answer.self_grade else answer.correct


def effective_score(answer: Answer) -> float:
    """The score as it counts: 1 or 0 after a self-assessment, else the grader's score."""
    return float(effective_correct(answer)) if answer.self_grade else answer.score


def latest_answers(*, session: Session, learner_id: str) -> dict[str, Answer]:
    """Each question's most recent answer by this learner."""
    rows = session.scalars(
        select(Answer).where(Answer.learner_id == learner_id).order_by(Answer.answered_at, Answer.id)
    )
    return {answer.question_id: answer for answer in rows}


@dataclass(frozen=True)
class Mastery:
    """How much of one lesson's question bank the learner has right at their latest try."""

    total: int
    seen: int
    right: int

    @property
    def share(self) -> float:
        """right / total, 0 when the lesson has no questions."""
        return self.right / self.total if self.total else 0.0

    @property
    def percent(self) -> int:
        """The share as a whole percentage."""
        return round(self.share * 100)


def mastery_by_lesson(
    *, session: Session, learner_id: str, bank: QuestionBank, slugs: list[str]
) -> dict[str, Mastery]:
    """Mastery of each lesson: the share of its questions whose latest answer was right."""
    latest = latest_answers(session=session, learner_id=learner_id)
    result = {}
    for slug in slugs:
        answers = [latest[q.id] for q in bank.for_lesson(slug) if q.id in latest]
        result[slug] = Mastery(
            total=len(bank.for_lesson(slug)),
            seen=len(answers),
            right=sum(effective_correct(answer) for answer in answers),
        )
    return result
