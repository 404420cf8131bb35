"""The grader on answers with a person's pass/fail verdict that were never used to tune it (tuning uses
tests/quiz/calibration.yaml only). Three sets:

- heldout.yaml, written before any threshold, cue or rule was tuned. It has since been seen: its one echo miss
  (an answer that only spells out the question's acronyms) was found there and fixed by a general rule
  (app/quiz/acronyms.py), so its figure is no longer an independent measure.
- heldout2.yaml, written blind after that fix, by someone who never read the grader, its thresholds or the
  other sets, and never ran the grader. Measured once blind (93 of 111, 83.8%; 7 of its 19 misconception
  answers passed), it was then used to find the causes (wrong claims stated with fillers, through a pronoun or
  in a comma splice; common wrong claims missing from two questions' lists; bare contractions and British
  spellings), so it is now a development set like calibration.yaml.
- heldout3.yaml, written blind after those fixes (115 answers, 43 of them misconceptions, some of them wrong
  claims that no question lists): the independent measure. It misses issue 11's targets, recorded below as
  strict expected failures so that a grader that meets them turns them into errors to be claimed.
The README states the figures.

Targets from issue 11: at least 90% agreement with the person, and no keyword list, echo or misconception
answer passed.
"""

from collections import Counter
from pathlib import Path

import pytest
import yaml

from app.quiz.grading import grade_free_text
from app.quiz.schemas import TextAnswer

HERE = Path(__file__).parent
SETS = {
    name: yaml.safe_load((HERE / f"{name}.yaml").read_text(encoding="utf-8"))["answers"]
    for name in ("heldout", "heldout2", "heldout3")
}
TARGET = 0.9
# heldout2, the first time the grader saw it (2026-12-05): 93 of 111 agree (83.8%), 7 of its 19
# misconception answers pass. After the fixes it led to (a development figure now): 106 of 111 (95.5%), none.
# heldout3, measured once, blind (2026-12-05): 93 of 115 agree (80.9%); 15 of 43 misconception answers and
# 1 of 10 echoes pass (no keyword list). Before the heldout2 fixes: 88 of 115 (76.5%), 19 passing.
BLIND_MISS = pytest.mark.xfail(
    strict=True,
    reason="issue 11, heldout3 (blind): 93 of 115 agree (80.9% < 90%); 15 of 43 misconception answers "
    "and 1 of 10 echoes pass",
)
NEVER_PASS = ("keywords", "echo", "misconception")


def _mark_blind_miss(request, set_name: str) -> None:
    if set_name == "heldout3":
        request.applymarker(BLIND_MISS)


@pytest.fixture(scope="module", params=sorted(SETS))
def set_name(request) -> str:
    """Which held-out set."""
    return request.param


@pytest.fixture(scope="module")
def answers(set_name) -> list[dict]:
    """The answers of one held-out set."""
    return SETS[set_name]


@pytest.fixture(scope="module")
def verdicts(answers, real_bank, sentence_encoder) -> list[tuple[dict, bool]]:
    """Each held-out answer with the grader's verdict (True: passed)."""
    return [
        (
            case,
            grade_free_text(
                real_bank.get(case["question"]), TextAnswer(case["text"]), sentence_encoder
            ).correct,
        )
        for case in answers
    ]


def _passed(verdicts, kind: str) -> list[str]:
    return [case["text"][:70] for case, passed in verdicts if case["kind"] == kind and passed]


def test_the_held_out_set_covers_every_free_text_question_with_every_kind(answers, real_bank):
    free_text = {q.id for q in real_bank.questions.values() if q.type == "free_text"}
    assert len(answers) >= 60
    assert {case["question"] for case in answers} == free_text
    kinds = Counter(case["kind"] for case in answers)
    assert set(kinds) >= {"good", "partial", "offtopic", "keywords", "negation", "echo", "misconception"}


def test_the_grader_agrees_with_the_person_on_held_out_answers(verdicts, set_name, request):
    _mark_blind_miss(request, set_name)
    agree = sum(passed == (case["verdict"] == "pass") for case, passed in verdicts)
    disagreements = [
        f"{case['question']} ({case['kind']}, person: {case['verdict']})"
        for case, passed in verdicts
        if passed != (case["verdict"] == "pass")
    ]
    assert agree / len(verdicts) >= TARGET, f"{agree} of {len(verdicts)} agree; {disagreements}"


@pytest.mark.parametrize("kind", NEVER_PASS)
def test_no_keyword_list_echo_or_misconception_passes(verdicts, kind, set_name, request):
    if kind != "keywords":
        _mark_blind_miss(request, set_name)
    assert _passed(verdicts, kind) == []
