"""The progress file: a learner's whole progress as versioned JSON, validated again on import."""

from typing import Any, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

FORMAT = "llm-interview-lab/progress"
VERSION = 1
KEY = r"^[A-Za-z0-9_-]{1,64}$"
SLUG = r"^[a-z0-9]+(-[a-z0-9]+)*$"
QuestionId = Field(pattern=SLUG, max_length=80)


class _Row(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class LessonProgressRow(_Row):
    """When a lesson was first opened and marked done."""

    lesson_slug: str = Field(pattern=SLUG, max_length=80)
    opened_at: AwareDatetime
    done_at: AwareDatetime | None = None


class AnswerRow(_Row):
    """One graded answer, known by its submission key."""

    submission_key: str = Field(pattern=KEY)
    question_id: str = QuestionId
    seed: int | None = Field(default=None, ge=0, le=2**31 - 1)
    response: dict[str, Any] | None = None
    score: float = Field(ge=0, le=1)
    correct: bool
    grading: dict[str, Any] | None = None
    self_grade: Literal["again", "hard", "good", "easy"] | None = None
    self_graded_at: AwareDatetime | None = None
    answered_at: AwareDatetime


class MockItemRow(_Row):
    """One question of an interview, with the key of its answer."""

    position: int = Field(ge=1, le=1000)
    question_id: str = QuestionId
    seed: int = Field(ge=0, le=2**31 - 1)
    shown_at: AwareDatetime | None = None
    answer_key: str | None = Field(default=None, pattern=KEY)


class MockAttemptRow(_Row):
    """One interview and its questions."""

    key: str = Field(pattern=r"^[0-9a-f]{32}$")
    lessons: list[str] = Field(max_length=100)
    types: list[str] = Field(max_length=10)
    time_limit_s: int = Field(ge=1, le=24 * 3600)
    started_at: AwareDatetime
    deadline_at: AwareDatetime
    finished_at: AwareDatetime | None = None
    finish_reason: Literal["submitted", "completed", "expired"] | None = None
    items: list[MockItemRow] = Field(max_length=1000)


class ReviewCardRow(_Row):
    """A question's FSRS card when exported (recomputed from the log on import)."""

    question_id: str = QuestionId
    state: int = Field(ge=1, le=3)
    step: int | None = None
    stability: float | None = None
    difficulty: float | None = None
    due_at: AwareDatetime
    last_review_at: AwareDatetime | None = None


class ReviewLogRow(_Row):
    """One rating of the append-only review log."""

    question_id: str = QuestionId
    answer_key: str | None = Field(default=None, pattern=KEY)
    rating: int = Field(ge=1, le=4)
    source: Literal["answer", "self_grade"]
    reviewed_at: AwareDatetime
    logged_at: AwareDatetime


class ProgressFile(_Row):
    """Everything a learner did, version 1."""

    format: Literal["llm-interview-lab/progress"]
    version: Literal[1]
    exported_at: AwareDatetime
    lesson_progress: list[LessonProgressRow] = Field(max_length=1000)
    answers: list[AnswerRow] = Field(max_length=100_000)
    mock_attempts: list[MockAttemptRow] = Field(max_length=10_000)
    review_cards: list[ReviewCardRow] = Field(max_length=10_000)
    review_log: list[ReviewLogRow] = Field(max_length=200_000)
