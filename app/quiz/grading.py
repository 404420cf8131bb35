"""Grading: exact for choices, within tolerance for numbers, rubric coverage for interview answers.

A free-text answer covers a rubric point when one of its sentences or clauses is close to the point in
all-MiniLM-L6-v2's embedding space (cosine >= STRONG), or fairly close (>= WEAK) and it also uses one of the
point's keywords, or it uses KEYWORDS_ALONE of them. The thresholds were calibrated on the 90 hand-labelled
(answer, point) pairs in tests/quiz/calibration.yaml: 82 of 90 agree (91%), and 18 of its 20 answers get the
person's right/wrong verdict (90%); tests/quiz/test_calibration.py checks both.
"""

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from app.embeddings.model import SentenceEncoder
from app.quiz.bank import Question, RubricPoint
from app.quiz.generated import GeneratedInstance
from app.quiz.schemas import ChoiceAnswer, ChoicesAnswer, NumberAnswer, Response, TextAnswer

STRONG = 0.56
WEAK = 0.35
KEYWORDS_ALONE = 2
PASS_SHARE = (
    0.6  # right when it covers 60% of the key points (3 of 4, 3 of 5): 18 of 20 calibration verdicts agree
)
# Floating-point slack on "within tolerance": 0.1 + 0.2 must equal 0.3.
NUMBER_EPSILON = 1e-9


@dataclass(frozen=True)
class Grade:
    """A graded answer: score in [0, 1], right or wrong, and what the grader saw (free text)."""

    score: float
    correct: bool
    detail: dict[str, Any] | None = None


@dataclass(frozen=True)
class PointCoverage:
    """One rubric point: covered or missed, and the two signals behind the decision."""

    point: str
    covered: bool
    similarity: float
    keywords: list[str]


def within(value: float, expected: float, tolerance: float) -> bool:
    """|value - expected| <= tolerance, with a hair of floating-point slack."""
    return math.fabs(value - expected) <= tolerance + NUMBER_EPSILON * max(1.0, math.fabs(expected))


_SPLIT = re.compile(r"(?<=[.!?;:])\s+|\n+|,\s+(?:and|but|so|while|which|because)\s+|\s+-{1,2}\s+|\s+—\s+")


def answer_chunks(text: str) -> list[str]:
    """The sentences and clauses of an answer, plus the whole answer (each is compared to each point)."""
    pieces = [piece.strip(" ,;") for piece in _SPLIT.split(text)]
    chunks = [piece for piece in pieces if len(piece.split()) >= 2]
    return list(dict.fromkeys([*chunks, text.strip()]))


def keyword_hits(text: str, keywords: Sequence[str]) -> list[str]:
    """The keywords that start a word of the text (case-insensitive): "stack" matches "stacked"."""
    lowered = text.lower()
    return [kw for kw in keywords if re.search(r"(?<![a-z0-9])" + re.escape(kw.lower()), lowered)]


def rubric_coverage(
    rubric: Sequence[RubricPoint],
    text: str,
    encoder: SentenceEncoder,
    *,
    strong: float = STRONG,
    weak: float = WEAK,
    keywords_alone: int = KEYWORDS_ALONE,
) -> list[PointCoverage]:
    """Which rubric points the answer covers, by embedding similarity with keywords as a second signal."""
    chunk_vectors = encoder.encode(answer_chunks(text))
    point_vectors = encoder.encode_cached([point.point for point in rubric])
    similarities = np.max(point_vectors @ chunk_vectors.T, axis=1)
    coverage = []
    for point, similarity in zip(rubric, similarities, strict=True):
        hits = keyword_hits(text, point.keywords)
        covered = bool(similarity >= strong or (similarity >= weak and hits) or len(hits) >= keywords_alone)
        coverage.append(PointCoverage(point.point, covered, round(float(similarity), 4), hits))
    return coverage


def grade_free_text(question: Question, answer: TextAnswer, encoder: SentenceEncoder) -> Grade:
    """Share of rubric points covered; right at PASS_SHARE or more."""
    coverage = rubric_coverage(question.spec.rubric, answer.text, encoder)
    score = sum(point.covered for point in coverage) / len(coverage)
    detail = {"points": [point.__dict__ for point in coverage]}
    return Grade(score=score, correct=score >= PASS_SHARE, detail=detail)


def grade(
    question: Question,
    response: Response | None,
    *,
    instance: GeneratedInstance | None = None,
    encoder: SentenceEncoder | None = None,
) -> Grade:
    """Grade one answer (None: skipped, which is wrong) against its question."""
    spec = question.spec
    if response is None:
        return Grade(score=0.0, correct=False)
    if isinstance(response, ChoiceAnswer):
        right = response.choice == spec.answer
        return Grade(score=float(right), correct=right)
    if isinstance(response, ChoicesAnswer):
        expected, picked = set(spec.answer), set(response.choices)
        partial = max(0, len(picked & expected) - len(picked - expected)) / len(expected)
        return Grade(score=partial, correct=picked == expected)
    if isinstance(response, NumberAnswer):
        if question.type == "generated":
            if instance is None:
                raise ValueError("a generated question is graded against its instance")
            expected_value, tolerance = instance.answer, instance.tolerance
        else:
            expected_value, tolerance = spec.answer, spec.tolerance
        right = within(response.value, expected_value, tolerance)
        return Grade(score=float(right), correct=right)
    if encoder is None:
        raise ValueError("free-text grading needs the sentence encoder")
    return grade_free_text(question, response, encoder)
