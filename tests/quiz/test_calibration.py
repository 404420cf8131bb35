"""The free-text grader agrees with a person's labels on the calibration set (the set its thresholds were
tuned on) at the stated rates; tests/quiz/test_heldout.py measures it on answers it was never tuned on."""

from pathlib import Path

import yaml

from app.quiz.bank import RubricPoint
from app.quiz.grading import PASS_SHARE, grade_free_text, rubric_coverage
from app.quiz.schemas import TextAnswer

CALIBRATION = yaml.safe_load((Path(__file__).parent / "calibration.yaml").read_text(encoding="utf-8"))
# Stated in app/quiz/grading.py: 82 of the 90 (answer, point) labels agree (91%); 18 of 20 verdicts (90%).
POINT_AGREEMENT = 0.9
ANSWER_AGREEMENT = 0.9
# The whole-answer cases (word lists, echoes, misconceptions, negations): 23 of 24 verdicts agree.
VERDICT_AGREEMENT = 0.95


def _judgements(encoder):
    for question in CALIBRATION["questions"]:
        rubric = [RubricPoint(follow_up="(calibration)?", **point) for point in question["rubric"]]
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


def test_grader_agrees_with_people_on_whole_answers(sentence_encoder, real_bank):
    cases = CALIBRATION["verdicts"]
    agree = sum(
        grade_free_text(real_bank.get(case["question"]), TextAnswer(case["text"]), sentence_encoder).correct
        == (case["verdict"] == "pass")
        for case in cases
    )
    assert agree / len(cases) >= VERDICT_AGREEMENT, f"{agree} of {len(cases)} verdicts agree"
