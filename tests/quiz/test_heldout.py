"""The grader on answers with a person's pass/fail verdict that were never used to tune its thresholds (those
come from tests/quiz/calibration.yaml). Six sets, each written blind (by someone who never read the grader,
its thresholds, its cue lists or the other sets, and never ran it) and measured once, blind, before anything
was changed because of it. After that first measurement a set is seen: its misses were used to look for
causes, so its later figures are development figures, not independent ones. The README states the figures.

| set      | answers | measured blind, once                         | the grader now (development)     |
|----------|---------|----------------------------------------------|----------------------------------|
| heldout  | 80      | 75 (94%), 1 of 6 echoes passed               | 76 (95%)                         |
| heldout2 | 111     | 93 (83.8%), 7 of 19 misconceptions passed    | 106 (95.5%)                      |
| heldout3 | 115     | 93 (80.9%), 15 of 43 misconceptions, 1 echo  | 108 (93.9%), 1 echo              |
| heldout4 | 126     | 102 (81.0%), 15 of 36, 2 echoes, 1 word list | 103 (81.7%), 15 of 36, 2 echoes  |
| heldout5 | 149     | 120 (80.5%), 22 of 44, 1 echo                | the same                         |
| heldout6 | 138     | 107 (77.5%), 24 of 43, 1 word list           | the same                         |

heldout4 was measured after the cue and negation-scope fixes found on heldout3 (2026-12-05): the grader
before them gave 101 of 126. heldout5 was measured with and without a meaning match on paraphrases of each
wrong claim (both 120 of 149; the match was dropped). heldout6 was measured last; the grader from before those
fixes gave 105 of 138 (26 misconceptions passed). The blind figures stay near 80% whatever was fixed on
the sets before them: a cue list and a sentence model catch a wrong claim only in wordings someone foresaw.

Targets from issue 11: at least 90% agreement with the person, and no keyword list, echo or misconception
answer passed. Where the grader misses them the test is a strict expected failure (KNOWN_MISSES), so that a
grader that meets a target turns it into an error to be claimed.
"""

from collections import Counter
from pathlib import Path

import pytest
import yaml

from app.quiz.grading import grade_free_text
from app.quiz.schemas import TextAnswer

HERE = Path(__file__).parent
NAMES = ("heldout", "heldout2", "heldout3", "heldout4", "heldout5", "heldout6")
SETS = {
    name: yaml.safe_load((HERE / f"{name}.yaml").read_text(encoding="utf-8"))["answers"] for name in NAMES
}
TARGET = 0.9
NEVER_PASS = ("keywords", "echo", "misconception")
# Where the grader misses a target on a set: (set, "agreement" or a kind that must never pass) -> why.
KNOWN_MISSES = {
    ("heldout3", "echo"): "issue 11, heldout3: a pasted run of the rubric's wording in one sentence passes",
    ("heldout4", "agreement"): "issue 11, heldout4: 103 of 126 agree (81.7%); blind, 102 (81.0%)",
    ("heldout4", "misconception"): "issue 11, heldout4: 15 of 36 misconception answers pass",
    ("heldout4", "echo"): "issue 11, heldout4: 2 of 11 echoes pass",
    ("heldout5", "agreement"): "issue 11, heldout5 (blind): 120 of 149 agree (80.5%)",
    ("heldout5", "misconception"): "issue 11, heldout5 (blind): 22 of 44 misconception answers pass",
    ("heldout5", "echo"): "issue 11, heldout5 (blind): 1 of 14 echoes passes",
    ("heldout6", "agreement"): "issue 11, heldout6 (blind): 107 of 138 agree (77.5%)",
    ("heldout6", "misconception"): "issue 11, heldout6 (blind): 24 of 43 misconception answers pass",
    ("heldout6", "keywords"): "issue 11, heldout6 (blind): 1 of 8 keyword lists passes (items of 4 words)",
}


def _expect_known_miss(request, set_name: str, check: str) -> None:
    reason = KNOWN_MISSES.get((set_name, check))
    if reason:
        request.applymarker(pytest.mark.xfail(strict=True, reason=reason))


@pytest.fixture(scope="module", params=NAMES)
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
    _expect_known_miss(request, set_name, "agreement")
    agree = sum(passed == (case["verdict"] == "pass") for case, passed in verdicts)
    disagreements = [
        f"{case['question']} ({case['kind']}, person: {case['verdict']})"
        for case, passed in verdicts
        if passed != (case["verdict"] == "pass")
    ]
    assert agree / len(verdicts) >= TARGET, f"{agree} of {len(verdicts)} agree; {disagreements}"


@pytest.mark.parametrize("kind", NEVER_PASS)
def test_no_keyword_list_echo_or_misconception_passes(verdicts, kind, set_name, request):
    _expect_known_miss(request, set_name, kind)
    assert _passed(verdicts, kind) == []
