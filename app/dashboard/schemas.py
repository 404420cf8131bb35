"""The progress file: a learner's whole progress as versioned JSON, validated again on import.

Everything a page later reads from an imported row is checked here: the shape of each answer, its grading,
times within 2000-2100 (UTC), and that keys and positions are unique where the database needs them to be.
What needs the question bank (ids, choice indices) is checked by portability.check_against_bank.
"""

from collections import Counter
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from typing import Annotated, Literal

from pydantic import AfterValidator, AwareDatetime, BaseModel, ConfigDict, Field, model_validator

from app.quiz.bank import QuestionType
from app.quiz.schemas import MAX_TEXT_CHARS

FORMAT = "llm-interview-lab/progress"
VERSION = 1
KEY = r"^[A-Za-z0-9_-]{1,64}$"
SLUG = r"^[a-z0-9]+(-[a-z0-9]+)*$"
QuestionId = Field(pattern=SLUG, max_length=80)
EARLIEST_YEAR, LATEST_YEAR = 2000, 2100


def _in_range(value: datetime) -> datetime:
    # The year is checked before converting to UTC: 9999-12-31T23:59:59-01:00 would overflow.
    if not EARLIEST_YEAR <= value.year <= LATEST_YEAR:
        raise ValueError(f"a time must fall between the years {EARLIEST_YEAR} and {LATEST_YEAR}")
    return value.astimezone(UTC)


Timestamp = Annotated[AwareDatetime, AfterValidator(_in_range)]
Index = Annotated[int, Field(strict=True, ge=0, le=99)]


def _duplicates(values: Iterable) -> list:
    return [value for value, count in Counter(values).items() if count > 1]


def _refuse_duplicates(what: str, values: Iterable) -> None:
    if repeated := _duplicates(values):
        raise ValueError(f"{what} {str(repeated[0])[:80]!r} appears more than once")


class _Row(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ChoiceResponse(_Row):
    """A single-choice answer: the index of the picked choice."""

    choice: Index


class ChoicesResponse(_Row):
    """A select-all answer: the picked indices, distinct."""

    choices: list[Index] = Field(min_length=1, max_length=100)

    @model_validator(mode="after")
    def _distinct(self):
        _refuse_duplicates("choice", self.choices)
        return self


class NumberResponse(_Row):
    """A numeric answer, finite."""

    value: float = Field(allow_inf_nan=False)


class TextResponse(_Row):
    """An interview answer in the learner's words."""

    text: str = Field(min_length=1, max_length=MAX_TEXT_CHARS)


ResponseRow = ChoiceResponse | ChoicesResponse | NumberResponse | TextResponse


Sentence = Annotated[str, Field(max_length=MAX_TEXT_CHARS)]


class RubricPointRow(_Row):
    """One rubric point of a graded interview answer, with the sentences that show it."""

    point: str = Field(max_length=1000)
    covered: bool
    similarity: float = Field(allow_inf_nan=False)
    keywords: list[Annotated[str, Field(max_length=200)]] = Field(max_length=50)
    evidence: Sentence | None = None
    model_sentence: Sentence | None = None


class MisconceptionRow(_Row):
    """A wrong claim the answer asserted, the right one, and the learner's sentence."""

    claim: str = Field(max_length=1000)
    right: str = Field(max_length=1000)
    sentence: Sentence


class FollowUpOfferRow(_Row):
    """The interviewer's follow-up offered with an answer: the missed point's index and the question."""

    point: Index
    question: str = Field(max_length=1000)


class GradingRow(_Row):
    """What the grader saw in an interview answer."""

    points: list[RubricPointRow] = Field(min_length=1, max_length=50)
    misconceptions: list[MisconceptionRow] = Field(default_factory=list, max_length=50)
    echoes: list[Sentence] = Field(default_factory=list, max_length=100)
    message: str | None = Field(default=None, max_length=1000)
    follow_up: FollowUpOfferRow | None = None


class FollowUpReplyRow(_Row):
    """The learner's reply to a follow-up (or its skipping), graded against the one point."""

    point: Index
    question: str = Field(max_length=1000)
    skipped: bool = False
    recovered: bool = False
    text: str | None = Field(default=None, max_length=MAX_TEXT_CHARS)
    covered: bool | None = None
    evidence: Sentence | None = None
    similarity: float | None = Field(default=None, allow_inf_nan=False)
    model_sentence: Sentence | None = None
    misconceptions: list[MisconceptionRow] = Field(default_factory=list, max_length=50)
    message: str | None = Field(default=None, max_length=1000)
    answered_at: Timestamp


class LessonProgressRow(_Row):
    """When a lesson was first opened and marked done."""

    lesson_slug: str = Field(pattern=SLUG, max_length=80)
    opened_at: Timestamp
    done_at: Timestamp | None = None


class AnswerRow(_Row):
    """One graded answer, known by its submission key."""

    submission_key: str = Field(pattern=KEY)
    question_id: str = QuestionId
    seed: int | None = Field(default=None, ge=0, le=2**31 - 1)
    response: ResponseRow | None = None
    score: float = Field(ge=0, le=1)
    correct: bool
    grading: GradingRow | None = None
    follow_up: FollowUpReplyRow | None = None
    self_grade: Literal["again", "hard", "good", "easy"] | None = None
    self_graded_at: Timestamp | None = None
    answered_at: Timestamp


class MockItemRow(_Row):
    """One question of an interview, with the key of its answer and any unsent draft."""

    position: int = Field(ge=1, le=1000)
    question_id: str = QuestionId
    seed: int = Field(ge=0, le=2**31 - 1)
    shown_at: Timestamp | None = None
    answer_key: str | None = Field(default=None, pattern=KEY)
    draft: str | None = Field(default=None, max_length=MAX_TEXT_CHARS)


class MockAttemptRow(_Row):
    """One interview and its questions."""

    key: str = Field(pattern=r"^[0-9a-f]{32}$")
    lessons: list[Annotated[str, Field(pattern=SLUG, max_length=80)]] = Field(max_length=100)
    types: list[QuestionType] = Field(max_length=10)
    time_limit_s: int = Field(ge=1, le=24 * 3600)
    started_at: Timestamp
    deadline_at: Timestamp
    finished_at: Timestamp | None = None
    finish_reason: Literal["submitted", "completed", "expired"] | None = None
    follow_ups: bool = True
    items: list[MockItemRow] = Field(max_length=1000)

    @model_validator(mode="after")
    def _consistent(self):
        if self.deadline_at != self.started_at + timedelta(seconds=self.time_limit_s):
            raise ValueError("deadline_at must be started_at plus time_limit_s")
        if (self.finished_at is None) != (self.finish_reason is None):
            raise ValueError("finished_at and finish_reason come together")
        if self.finished_at is not None and not self.started_at <= self.finished_at <= self.deadline_at:
            raise ValueError("finished_at must fall between started_at and deadline_at")
        _refuse_duplicates("item position", (item.position for item in self.items))
        return self


class ReviewCardRow(_Row):
    """A question's FSRS card when exported (recomputed from the log on import)."""

    question_id: str = QuestionId
    state: int = Field(ge=1, le=3)
    step: int | None = None
    stability: float | None = Field(default=None, allow_inf_nan=False)
    difficulty: float | None = Field(default=None, allow_inf_nan=False)
    due_at: Timestamp
    last_review_at: Timestamp | None = None


class ReviewLogRow(_Row):
    """One rating of the append-only review log."""

    question_id: str = QuestionId
    answer_key: str | None = Field(default=None, pattern=KEY)
    rating: int = Field(ge=1, le=4)
    source: Literal["answer", "self_grade"]
    reviewed_at: Timestamp
    logged_at: Timestamp


class ProgressFile(_Row):
    """Everything a learner did, version 1."""

    format: Literal["llm-interview-lab/progress"]
    version: Literal[1]
    exported_at: Timestamp
    lesson_progress: list[LessonProgressRow] = Field(max_length=1000)
    answers: list[AnswerRow] = Field(max_length=100_000)
    mock_attempts: list[MockAttemptRow] = Field(max_length=10_000)
    review_cards: list[ReviewCardRow] = Field(max_length=10_000)
    review_log: list[ReviewLogRow] = Field(max_length=200_000)

    @model_validator(mode="after")
    def _unique_and_linked(self):
        _refuse_duplicates("lesson", (row.lesson_slug for row in self.lesson_progress))
        _refuse_duplicates("submission key", (row.submission_key for row in self.answers))
        _refuse_duplicates("interview key", (row.key for row in self.mock_attempts))
        _refuse_duplicates("review card of question", (row.question_id for row in self.review_cards))
        items = [item for attempt in self.mock_attempts for item in attempt.items]
        linked = [item.answer_key for item in items if item.answer_key]
        _refuse_duplicates("answer key of an interview question", linked)
        question_of = {row.submission_key: row.question_id for row in self.answers}
        for what, rows in (("interview question", items), ("review", self.review_log)):
            for row in rows:
                if row.answer_key is not None and question_of.get(row.answer_key) != row.question_id:
                    raise ValueError(
                        f"a {what} of {row.question_id!r} names answer {row.answer_key!r}, "
                        "which is not an answer to that question in this file"
                    )
        return self
