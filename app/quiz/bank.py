"""Loads and validates the question bank in content/questions/: one YAML file per lesson.

A bad file stops the start-up with the file, the question and the field named, as lesson content does.
"""

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from app.lessons.content import ContentError, Course
from app.lessons.render import markdown
from app.quiz.misconceptions import asserts
from app.yamlfile import load_yaml

QuestionType = Literal["single", "multiple", "numeric", "free_text", "generated"]
QUESTION_TYPES: tuple[QuestionType, ...] = ("single", "multiple", "numeric", "free_text", "generated")
GeneratorName = Literal[
    "token_count", "nucleus_size", "attention_cost_ratio", "request_cost", "softmax_temperature"
]
SLUG = r"^[a-z0-9]+(-[a-z0-9]+)*$"
# A misconception's cue: lower-case words, "*" ending any of them, "+" between parts (see Misconception).
_CUE_WORD = r"[a-z0-9][a-z0-9'.^/-]*\*?"
CUE = rf"^{_CUE_WORD}( {_CUE_WORD})*(\+{_CUE_WORD}( {_CUE_WORD})*)*$"


class _Spec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=SLUG, max_length=80)
    anchor: str = Field(min_length=1, max_length=200)
    difficulty: Literal["easy", "medium", "hard"]
    tags: list[str] = Field(default_factory=list, max_length=12)
    prompt: str = Field(min_length=1, max_length=4000)
    explanation: str = Field(min_length=1, max_length=4000)


class _ChoiceSpec(_Spec):
    choices: list[str] = Field(min_length=2, max_length=10)

    @model_validator(mode="after")
    def _distinct_choices(self):
        if len(set(self.choices)) != len(self.choices):
            raise ValueError("choices must be distinct")
        return self


class SingleSpec(_ChoiceSpec):
    """One right choice, given by its index."""

    type: Literal["single"]
    answer: int = Field(ge=0, strict=True)

    @model_validator(mode="after")
    def _answer_in_range(self):
        if self.answer >= len(self.choices):
            raise ValueError(f"answer {self.answer} is not an index of the {len(self.choices)} choices")
        return self


class MultipleSpec(_ChoiceSpec):
    """Several right choices, given by their indices."""

    type: Literal["multiple"]
    answer: list[Annotated[int, Field(ge=0, strict=True)]] = Field(min_length=1)

    @model_validator(mode="after")
    def _answers_in_range(self):
        if len(set(self.answer)) != len(self.answer) or max(self.answer) >= len(self.choices):
            raise ValueError(f"answer must list distinct indices of the {len(self.choices)} choices")
        return self


class NumericSpec(_Spec):
    """A number, right within an absolute tolerance."""

    type: Literal["numeric"]
    answer: float
    tolerance: float = Field(default=0, ge=0)
    unit: str | None = Field(default=None, max_length=40)


class RubricPoint(BaseModel):
    """One key point a good free-text answer covers, words that signal it, and the interviewer's follow-up."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    point: str = Field(min_length=1, max_length=300)
    keywords: list[str] = Field(min_length=1, max_length=12)
    follow_up: str = Field(min_length=1, max_length=300, pattern=r"\?$")


class Misconception(BaseModel):
    """A common wrong claim about the question's topic, the right claim, and the cues that give it away.

    A cue is a phrase the wrong claim uses ("grows linearly"); "a+b" needs both in one clause; a trailing "*"
    matches any ending ("linear*"); a part starting "not " matches only in a negated clause
    ("transformer*+not parallel*" is "transformers ... not ... parallel...").
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    claim: str = Field(min_length=1, max_length=300)
    right: str = Field(min_length=1, max_length=300)
    cues: list[Annotated[str, Field(pattern=CUE, max_length=80)]] = Field(min_length=1, max_length=32)

    @model_validator(mode="after")
    def _claim_shows_a_cue(self):
        if not asserts(self.claim, self.cues):
            raise ValueError(f'the claim "{self.claim[:60]}" matches none of its own cues')
        return self


class FreeTextSpec(_Spec):
    """An interview answer in the learner's words, graded against rubric points (most important first) and
    checked for the topic's common misconceptions."""

    type: Literal["free_text"]
    model_answer: str = Field(min_length=1, max_length=5000)
    rubric: list[RubricPoint] = Field(min_length=3, max_length=6)
    misconceptions: list[Misconception] = Field(min_length=1, max_length=6)


class GeneratedSpec(_Spec):
    """A calculation whose numbers are drawn fresh from a seed at each attempt."""

    type: Literal["generated"]
    generator: GeneratorName


QuestionSpec = Annotated[
    SingleSpec | MultipleSpec | NumericSpec | FreeTextSpec | GeneratedSpec, Field(discriminator="type")
]


class QuestionFile(BaseModel):
    """One lesson's question file."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    lesson: str = Field(pattern=SLUG)
    questions: list[QuestionSpec] = Field(min_length=1)


@dataclass(frozen=True)
class Question:
    """A validated question of one lesson, with its Markdown rendered once."""

    spec: SingleSpec | MultipleSpec | NumericSpec | FreeTextSpec | GeneratedSpec
    lesson: str
    prompt_html: str
    explanation_html: str
    choices_html: tuple[str, ...] = ()

    @property
    def id(self) -> str:
        """The question's id, unique across the bank."""
        return self.spec.id

    @property
    def type(self) -> QuestionType:
        """single, multiple, numeric, free_text or generated."""
        return self.spec.type

    @property
    def anchor(self) -> str:
        """The heading id of the paragraph that teaches the answer."""
        return self.spec.anchor


@dataclass(frozen=True)
class QuestionBank:
    """Every question, by id and by lesson (in file order)."""

    questions: dict[str, Question]
    by_lesson: dict[str, tuple[Question, ...]]

    def get(self, question_id: str) -> Question | None:
        """The question with this id, or None."""
        return self.questions.get(question_id)

    def for_lesson(self, slug: str) -> tuple[Question, ...]:
        """The lesson's questions, possibly none."""
        return self.by_lesson.get(slug, ())


def _describe(error: ValidationError, data: object) -> str:
    parts = []
    for err in error.errors():
        loc = list(err["loc"])
        where = ""
        if len(loc) >= 2 and loc[0] == "questions" and isinstance(loc[1], int):
            index = loc[1]
            qid = None
            if (
                isinstance(data, dict)
                and isinstance(data.get("questions"), list)
                and index < len(data["questions"])
            ):
                entry = data["questions"][index]
                qid = entry.get("id") if isinstance(entry, dict) else None
            where = f"question {index + 1}" + (f" ('{qid}')" if qid else "") + ", "
            loc = loc[2:]
            if loc and isinstance(loc[0], str) and loc[0] in QUESTION_TYPES:
                loc = loc[1:]  # the discriminator's branch name adds nothing for the author
        field = ".".join(str(p) for p in loc) or "(question)"
        parts.append(f"{where}field '{field}': {err['msg']}")
    return "; ".join(parts)


def _render(spec, lesson: str) -> Question:  # noqa: ANN001 - one of the spec classes
    md = markdown()
    choices = tuple(md.renderInline(choice) for choice in getattr(spec, "choices", ()))
    return Question(
        spec=spec,
        lesson=lesson,
        prompt_html=md.render(spec.prompt),
        explanation_html=md.render(spec.explanation),
        choices_html=choices,
    )


def load_question_file(path: Path, course: Course) -> tuple[Question, ...]:
    """Parse and validate one question file against the course; ContentError names file and field."""
    try:
        data = load_yaml(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise ContentError(f"{path}: not valid YAML: {exc}") from exc
    try:
        parsed = QuestionFile.model_validate(data)
    except ValidationError as exc:
        raise ContentError(f"{path}: {_describe(exc, data)}") from exc
    lesson = course.lesson(parsed.lesson)
    if lesson is None:
        raise ContentError(f"{path}: field 'lesson': no lesson called '{parsed.lesson}'")
    expected = f"{lesson.meta.order:02d}-{lesson.slug}.yaml"
    if path.name != expected:
        raise ContentError(f"{path}: field 'lesson' does not match the file name (expected {expected})")
    anchors = {entry.anchor for entry in lesson.rendered.toc}
    questions = []
    for index, spec in enumerate(parsed.questions, start=1):
        if spec.anchor not in anchors:
            raise ContentError(
                f"{path}: question {index} ('{spec.id}'), field 'anchor': lesson '{lesson.slug}' "
                f"has no heading '#{spec.anchor}'"
            )
        questions.append(_render(spec, lesson.slug))
    return tuple(questions)


def load_question_bank(questions_dir: Path, course: Course) -> QuestionBank:
    """Every content/questions/*.yaml file, validated; ids must be unique across files."""
    by_id: dict[str, Question] = {}
    by_lesson: dict[str, tuple[Question, ...]] = {}
    for path in sorted(questions_dir.glob("*.yaml")) if questions_dir.is_dir() else []:
        if not re.match(r"^\d{2}-", path.name):
            raise ContentError(f"{path}: question files are named NN-<lesson>.yaml")
        questions = load_question_file(path, course)
        for question in questions:
            if question.id in by_id:
                raise ContentError(f"{path}: field 'id': '{question.id}' is also used in another question")
            by_id[question.id] = question
        by_lesson[questions[0].lesson] = questions
    return QuestionBank(questions=by_id, by_lesson=by_lesson)
