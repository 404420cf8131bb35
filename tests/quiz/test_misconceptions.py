"""Misconceptions: negation and contrast, the cue grammar, and the bank's own claims and model answers."""

from pathlib import Path

import pytest

from app.config import ROOT
from app.lessons.content import ContentError, load_course
from app.quiz.bank import load_question_file
from app.quiz.grading import grade_free_text
from app.quiz.misconceptions import asserts, is_assertion, matching_cue, negated, strip_contrast
from app.quiz.schemas import TextAnswer

LINEAR = ["linearly", "attention is linear", "it is linear", "linear in the sequence"]
NOT_PARALLEL = ["transformer*+not parallel*", "transformer*+process*+one at a time"]


@pytest.mark.parametrize(
    ("clause", "expected"),
    [
        ("Attention cost is linear", False),
        ("Attention cost is not linear", True),
        ("It isn't linear", True),
        ("It doesn't matter", True),
        ("There is no bottleneck", True),
        ("It is neither a database nor a reasoning engine", True),  # one negation, not two
        ("It is quadratic, not linear", False),  # the "not" belongs to the contrast
        ("quadratic rather than linear", False),
        ("It works no matter where the token is", False),
        ("It is not only slow but expensive", False),
        ("It never changes the ranking", True),
        ("It can't not work", False),  # two negations
    ],
)
def test_negation(clause, expected):
    assert negated(clause) is expected


@pytest.mark.parametrize(
    ("clause", "kept"),
    [
        ("It is quadratic, not linear", "it is quadratic"),
        ("The model sees tokens, not characters", "the model sees tokens"),
        ("It grows quadratically rather than linearly", "it grows quadratically"),
        ("Unlike RNNs, it is parallel", "it is parallel"),
        ("It is not linear but quadratic", "it is quadratic"),
    ],
)
def test_a_contrast_is_set_aside(clause, kept):
    assert strip_contrast(clause) == kept


@pytest.mark.parametrize(
    ("text", "cues", "flagged"),
    [
        ("Attention cost is linear in the sequence length", LINEAR, True),
        ("Attention cost is not linear in the sequence length", LINEAR, False),  # "is not linear"
        ("It is quadratic, not linear", LINEAR, False),
        ("The cost grows linearly, so doubling n doubles it", LINEAR, True),
        ("Transformers are NOT parallel", NOT_PARALLEL, True),  # "is NOT parallel" about transformers
        ("Transformers are parallel", NOT_PARALLEL, False),
        ("RNNs are not parallel", NOT_PARALLEL, False),  # not about transformers
        ("Transformers, unlike RNNs, are not parallel", NOT_PARALLEL, True),
        ("Transformers process the tokens one at a time", NOT_PARALLEL, True),
        ("Transformers don't process tokens one at a time", NOT_PARALLEL, False),
        ("RNNs need a reward model and PPO, DPO skips both", ["dpo+needs a reward model"], False),  # order
        ("DPO needs a reward model", ["dpo+needs a reward model"], True),
        ("Is attention linear in the sequence length?", LINEAR, False),  # a question asserts nothing
        ("A common myth is that attention is linear", LINEAR, False),  # naming a myth is not asserting it
    ],
)
def test_cues_with_negation_and_contrast(text, cues, flagged):
    assert asserts(text, cues) is flagged


def test_cue_parts_must_be_near_each_other():
    cues = ["dpo+reward model"]
    assert matching_cue("DPO trains a reward model", cues) == "dpo+reward model"
    far = "DPO is the method that many teams now use for most of their preference work, and a reward model"
    assert matching_cue(far, cues) is None


@pytest.mark.parametrize(
    ("sentence", "claims"),
    [
        ("Why is it quadratic?", False),
        ("It is a common misconception that it is linear.", False),
        ("It is.", True),
    ],
)
def test_what_counts_as_an_assertion(sentence, claims):
    assert is_assertion(sentence) is claims


def _free_text(real_bank):
    return [q for q in real_bank.questions.values() if q.type == "free_text"]


def test_every_free_text_question_has_misconceptions_and_follow_ups(real_bank):
    for question in _free_text(real_bank):
        assert 1 <= len(question.spec.misconceptions) <= 6, question.id
        assert all(point.follow_up.endswith("?") for point in question.spec.rubric), question.id


def test_each_wrong_claim_is_caught_and_each_right_one_is_not(real_bank, sentence_encoder):
    for question in _free_text(real_bank):
        for misconception in question.spec.misconceptions:
            wrong = grade_free_text(question, TextAnswer(misconception.claim), sentence_encoder)
            assert [m["claim"] for m in wrong.detail["misconceptions"]][:1] == [misconception.claim], (
                question.id
            )
            assert not wrong.correct
            right = grade_free_text(question, TextAnswer(misconception.right), sentence_encoder)
            assert not right.detail["misconceptions"], (question.id, misconception.right)


def test_every_model_answer_passes_with_no_misconception(real_bank, sentence_encoder):
    for question in _free_text(real_bank):
        result = grade_free_text(question, TextAnswer(question.spec.model_answer), sentence_encoder)
        assert result.correct and not result.detail["misconceptions"], question.id
        assert all(point["covered"] for point in result.detail["points"]), question.id


@pytest.mark.parametrize(
    ("question_id", "text", "claim_starts"),
    [
        (
            "attn-quadratic-ft",
            "Attention cost is linear in the sequence length, so doubling the context doubles the cost.",
            "Attention cost grows linearly",
        ),
        (
            "param-temperature-ft",
            "Higher temperature makes the output more deterministic.",
            "Higher temperature",
        ),
        ("param-top-p-vs-top-k-ft", "Top-p picks the token with probability p.", "Top-p picks the token"),
        ("mm-chat-memory-ft", "The model updates its weights from the conversation.", "The model updates"),
        (
            "arch-why-transformers-won-ft",
            "Transformers are NOT parallel, they read one token at a time.",
            "Transf",
        ),
    ],
)
def test_the_issue_s_wrong_claims_fail_and_name_the_right_one(
    real_bank, sentence_encoder, question_id, text, claim_starts
):
    result = grade_free_text(real_bank.get(question_id), TextAnswer(text), sentence_encoder)
    assert not result.correct
    [found, *_] = result.detail["misconceptions"]
    assert found["claim"].startswith(claim_starts) and found["right"] and found["sentence"]


@pytest.mark.parametrize(
    ("question_id", "text"),
    [
        ("attn-quadratic-ft", "The cost is not linear in the sequence length: it is quadratic."),
        ("attn-quadratic-ft", "It grows quadratically rather than linearly, so 8K costs four times 4K."),
        ("arch-why-transformers-won-ft", "Transformers are parallel: they do not read one token at a time."),
        (
            "param-temperature-ft",
            "Higher temperature does not make the output more deterministic; lower does.",
        ),
        ("mm-chat-memory-ft", "The model never updates its weights from the conversation."),
        # a verdict that turns down what the clause names is a "not" too
        ("fam-which-model-ft", "The largest model would be overkill for sorting tickets."),
        ("fam-which-model-ft", "Sending the regulated tickets to a public API would be a breach."),
        ("fam-selection-framework-ft", "The top of the leaderboard is a poor guide for a narrow task."),
    ],
)
def test_negated_wrong_claims_are_not_flagged(real_bank, sentence_encoder, question_id, text):
    result = grade_free_text(real_bank.get(question_id), TextAnswer(text), sentence_encoder)
    assert result.detail["misconceptions"] == []


COURSE = load_course(ROOT / "content")
FILE = """lesson: tokenization
questions:
  - id: ft
    type: free_text
    anchor: tokenization-algorithms
    difficulty: easy
    prompt: "Why?"
    model_answer: "Because."
    rubric:
      - {point: "One", keywords: ["one"], follow_up: "One?"}
      - {point: "Two", keywords: ["two"], follow_up: "Two?"}
      - {point: "Three", keywords: ["three"], follow_up: "Three?"}
    misconceptions:
      - {claim: "BPE merges the rarest pair.", right: "The most frequent pair.", cues: ["rarest pair"]}
    explanation: "Because."
"""


@pytest.mark.parametrize(
    ("change", "named"),
    [
        (('cues: ["rarest pair"]', 'cues: ["most frequent"]'), "matches none of its own cues"),
        (('cues: ["rarest pair"]', 'cues: ["Rarest!"]'), "cues"),
        (('follow_up: "Two?"', 'follow_up: "Two"'), "follow_up"),
        (("    misconceptions:\n", "    misconceptions: []\n    unused:\n"), "misconceptions"),
    ],
)
def test_a_bad_misconception_or_follow_up_stops_the_start(tmp_path: Path, change, named):
    path = tmp_path / "02-tokenization.yaml"
    load_question_file(_write(path, FILE), COURSE)  # the file as given is fine
    with pytest.raises(ContentError, match=named):
        load_question_file(_write(path, FILE.replace(*change)), COURSE)


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("text", "cues", "flagged"),
    [
        # words that do not change a claim may stand between a cue's words
        ("A token is basically one word", ["token is one word"], True),
        ("The FFN is where the tokens swap information", ["ffn+where tokens"], True),
        # a clause whose subject is a pronoun is read after the clause it refers to, with its own polarity
        ("Cosine is the default, but it's affected by vector length", ["cosine+affected by+length"], True),
        (
            "Cosine is the default, but it's not affected by vector length",
            ["cosine+affected by+length"],
            False,
        ),
        (
            "Cosine is the default. It's affected by length",
            ["cosine+affected by+length"],
            False,
        ),  # other sentence
        # two sentences joined by a comma are two clauses: the first one's "not" is not the second's
        ("Q, K and V aren't the raw embedding, they're projections of it", ["not project*"], False),
        ("Q, K and V are not projections, they're the raw embedding", ["not project*"], True),
        # "that" is a pronoun subject too
        ("I'd go with Euclidean distance, that's the standard", ["euclidean+the standard"], True),
        ("I'd go with cosine, that's the standard", ["euclidean+the standard"], False),
    ],
)
def test_fillers_pronouns_and_comma_splices(text, cues, flagged):
    assert asserts(text, cues) is flagged


APPROXIMATES = ["flashattention+by approximat*"]


@pytest.mark.parametrize(
    ("text", "cues", "flagged"),
    [
        # a "not" after "so", "because", "which"... belongs to that inner clause, not to the cue's part
        ("FlashAttention works by approximating scores so you don't compute them all", APPROXIMATES, True),
        ("FlashAttention does not work by approximating the scores", APPROXIMATES, False),
        ("Since FlashAttention doesn't work by approximating, it is exact", APPROXIMATES, False),
        ("It is linear because it doesn't compare every pair", LINEAR, True),
        ("It is not linear because every token compares with every other one", LINEAR, False),
        ("Transformers are not parallel, which hurts", NOT_PARALLEL, True),
        ("Transformers are parallel, which is why nothing waits", NOT_PARALLEL, False),
    ],
)
def test_a_negation_belongs_to_its_own_inner_clause(text, cues, flagged):
    assert asserts(text, cues) is flagged


@pytest.mark.parametrize(
    ("text", "flagged"),
    [
        ("Just use the largest model", True),
        ("The largest model would be overkill", False),
        ("Using the largest model would burn money", False),
        ("It would be overkill to use the largest model", False),
        ("The largest model is not overkill", True),  # two turn-downs cancel, as two "not"s do
        ("A small model is a waste, the largest model is right", True),  # that verdict is the first clause's
    ],
)
def test_a_verdict_that_turns_down_what_it_names_counts_as_a_negation(text, flagged):
    assert asserts(text, ["largest model"]) is flagged
