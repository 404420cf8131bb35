"""The free-text grader agrees with a person's per-point labels on the calibration set at the stated rate."""

from pathlib import Path

import yaml

from app.quiz.bank import RubricPoint
from app.quiz.grading import PASS_SHARE, rubric_coverage

CALIBRATION = yaml.safe_load((Path(__file__).parent / "calibration.yaml").read_text(encoding="utf-8"))
# Stated in app/quiz/grading.py: 82 of the 90 (answer, point) labels agree (91%); 18 of 20 verdicts (90%).
POINT_AGREEMENT = 0.9
ANSWER_AGREEMENT = 0.9


def _judgements(encoder):
    for question in CALIBRATION["questions"]:
        rubric = [RubricPoint(**point) for point in question["rubric"]]
        for answer in question["answers"]:
            coverage = rubric_coverage(rubric, answer["text"], encoder)
            yield [point.covered for point in coverage], [bool(label) for label in answer["covers"]]


def test_calibration_set_is_about_twenty_answers_of_labelled_points():
    answers = [a for q in CALIBRATION["questions"] for a in q["answers"]]
    assert len(answers) >= 20
    for question in CALIBRATION["questions"]:
        assert all(len(a["covers"]) == len(question["rubric"]) for a in question["answers"])


def test_grader_agrees_with_people_per_point(sentence_encoder):
    pairs = [
        (g, h) for graded, human in _judgements(sentence_encoder) for g, h in zip(graded, human, strict=True)
    ]
    agreement = sum(g == h for g, h in pairs) / len(pairs)
    assert agreement >= POINT_AGREEMENT, f"per-point agreement {agreement:.1%}"


def test_grader_agrees_with_people_on_pass_or_fail(sentence_encoder):
    verdicts = [
        (sum(graded) / len(graded) >= PASS_SHARE, sum(human) / len(human) >= PASS_SHARE)
        for graded, human in _judgements(sentence_encoder)
    ]
    agreement = sum(g == h for g, h in verdicts) / len(verdicts)
    assert agreement >= ANSWER_AGREEMENT, f"pass/fail agreement {agreement:.1%}"
