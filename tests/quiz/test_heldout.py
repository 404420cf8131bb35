"""The grader on tests/quiz/heldout.yaml, a person's pass/fail verdicts written before any threshold, cue or
rule was tuned (tuning uses tests/quiz/calibration.yaml only).

This set has been seen: its one echo miss (an answer that only spells out the question's acronyms) was found
here and fixed by a general rule (app/quiz/acronyms.py), so its figure is no longer an independent measure. A
second held-out set, tests/quiz/heldout2.yaml, written blind to the grader and its fixes, measures that
instead; this file reads only heldout.yaml (the README states both figures).

Targets from issue 11: at least 90% agreement with the person, and no keyword list, echo or misconception
answer passed.
"""

from collections import Counter
from pathlib import Path

import pytest
import yaml

from app.quiz.grading import grade_free_text
from app.quiz.schemas import TextAnswer

HELDOUT = yaml.safe_load((Path(__file__).parent / "heldout.yaml").read_text(encoding="utf-8"))["answers"]
TARGET = 0.9
NEVER_PASS = ("keywords", "echo", "misconception")


@pytest.fixture(scope="module")
def verdicts(real_bank, sentence_encoder) -> list[tuple[dict, bool]]:
    """Each held-out answer with the grader's verdict (True: passed)."""
    return [
        (
            case,
            grade_free_text(
                real_bank.get(case["question"]), TextAnswer(case["text"]), sentence_encoder
            ).correct,
        )
        for case in HELDOUT
    ]


def _passed(verdicts, kind: str) -> list[str]:
    return [case["text"][:70] for case, passed in verdicts if case["kind"] == kind and passed]


def test_the_held_out_set_covers_every_free_text_question_with_every_kind(real_bank):
    free_text = {q.id for q in real_bank.questions.values() if q.type == "free_text"}
    assert len(HELDOUT) >= 60
    assert {case["question"] for case in HELDOUT} == free_text
    kinds = Counter(case["kind"] for case in HELDOUT)
    assert set(kinds) == {"good", "partial", "offtopic", "keywords", "negation", "echo", "misconception"}


def test_the_grader_agrees_with_the_person_on_held_out_answers(verdicts):
    agree = sum(passed == (case["verdict"] == "pass") for case, passed in verdicts)
    disagreements = [
        f"{case['question']} ({case['kind']}, person: {case['verdict']})"
        for case, passed in verdicts
        if passed != (case["verdict"] == "pass")
    ]
    assert agree / len(verdicts) >= TARGET, f"{agree} of {len(verdicts)} agree; {disagreements}"


@pytest.mark.parametrize("kind", NEVER_PASS)
def test_no_keyword_list_echo_or_misconception_passes(verdicts, kind):
    assert _passed(verdicts, kind) == []
