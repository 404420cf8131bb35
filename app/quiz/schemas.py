"""An answer as the learner gave it, parsed and checked against its question's type."""

import math
import re
from dataclasses import dataclass

from app.quiz.bank import Question

MAX_TEXT_CHARS = 5_000
MAX_NUMBER_CHARS = 40
# Units and separators people type around a number: "$0.42", "64x", "12 %", "1,024".
_NUMBER_DECORATION = re.compile(r"^\s*\$?\s*|\s*(%|x|×|tokens?)?\s*$", re.IGNORECASE)


class AnswerInputError(ValueError):
    """The answer does not fit its question (wrong type, out of range, too long); the message says why."""


@dataclass(frozen=True)
class ChoiceAnswer:
    """One picked choice (single)."""

    choice: int


@dataclass(frozen=True)
class ChoicesAnswer:
    """The picked choices (multiple), sorted."""

    choices: tuple[int, ...]


@dataclass(frozen=True)
class NumberAnswer:
    """A number (numeric, generated)."""

    value: float


@dataclass(frozen=True)
class TextAnswer:
    """An interview answer in the learner's words (free_text)."""

    text: str


Response = ChoiceAnswer | ChoicesAnswer | NumberAnswer | TextAnswer


def _choice_index(raw: str, count: int) -> int:
    # isdigit() alone lets through "²" and other digits int() cannot read.
    if not (raw.isascii() and raw.strip().isdigit()) or int(raw) >= count:
        raise AnswerInputError(f"“{raw[:20]}” is not one of the {count} choices.")
    return int(raw)


def parse_number(raw: str) -> float:
    """A number typed by a person: '$0.42', '64x', '1,024' and '12%' are read as 0.42, 64, 1024 and 12."""
    if len(raw) > MAX_NUMBER_CHARS:
        raise AnswerInputError(f"A number is at most {MAX_NUMBER_CHARS} characters.")
    cleaned = _NUMBER_DECORATION.sub("", raw).replace(",", "").replace("_", "")
    try:
        value = float(cleaned)
    except ValueError:
        raise AnswerInputError(f"“{raw[:20]}” is not a number.") from None
    if not math.isfinite(value):
        raise AnswerInputError("The answer must be a finite number.")
    return value


def parse_response(question: Question, *, choice: list[str], value: str | None, text: str | None) -> Response:
    """The submitted form fields as this question's kind of answer; AnswerInputError when they do not fit."""
    kind = question.type
    if kind == "single":
        if len(choice) != 1:
            raise AnswerInputError("Pick exactly one choice.")
        return ChoiceAnswer(_choice_index(choice[0], len(question.spec.choices)))
    if kind == "multiple":
        if not choice:
            raise AnswerInputError("Pick at least one choice.")
        picked = {_choice_index(raw, len(question.spec.choices)) for raw in choice}
        return ChoicesAnswer(tuple(sorted(picked)))
    if kind in ("numeric", "generated"):
        if value is None or not value.strip():
            raise AnswerInputError("Type a number.")
        return NumberAnswer(parse_number(value))
    if text is None or not text.strip():
        raise AnswerInputError("Write an answer first.")
    if len(text) > MAX_TEXT_CHARS:
        raise AnswerInputError(
            f"An answer is at most {MAX_TEXT_CHARS:,} characters; this one has {len(text):,}."
        )
    return TextAnswer(text.strip())


def response_json(response: Response | None) -> dict | None:
    """The answer as stored: {"choice": 1}, {"choices": [0, 2]}, {"value": 4.5} or {"text": "..."}."""
    if response is None:
        return None
    if isinstance(response, ChoicesAnswer):
        return {"choices": list(response.choices)}
    return dict(response.__dict__)


def response_from_json(data: dict | None) -> Response | None:
    """The stored answer back as a Response."""
    if data is None:
        return None
    if "choice" in data:
        return ChoiceAnswer(int(data["choice"]))
    if "choices" in data:
        return ChoicesAnswer(tuple(int(i) for i in data["choices"]))
    if "value" in data:
        return NumberAnswer(float(data["value"]))
    return TextAnswer(str(data["text"]))
