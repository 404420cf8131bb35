"""Grading of every question type, tolerances, and generated questions checked with the lab's own code."""

import pytest
import torch

from app.catalog.models import load_catalog
from app.config import ROOT, Settings
from app.lessons.content import load_course
from app.lm.sampling import SamplingParams, apply_temperature, stages_from_probs
from app.quiz.bank import load_question_bank
from app.quiz.generated import GENERATORS, generate, generator_tools
from app.quiz.grading import grade, within
from app.quiz.schemas import (
    AnswerInputError,
    ChoiceAnswer,
    ChoicesAnswer,
    NumberAnswer,
    TextAnswer,
    parse_number,
    parse_response,
)
from app.tokenizer.encodings import load_encodings
from tests.quiz.fixtures import FIXTURE_BANK

COURSE = load_course(ROOT / "content")
BANK = load_question_bank(FIXTURE_BANK, COURSE)
_ENCODINGS = load_encodings(Settings())
TOOLS = generator_tools(
    _ENCODINGS, load_catalog(ROOT / "content" / "models.yaml", encodings=_ENCODINGS.names)
)


@pytest.mark.parametrize(
    ("question_id", "response", "score", "correct"),
    [
        ("fx-single", ChoiceAnswer(0), 1.0, True),
        ("fx-single", ChoiceAnswer(2), 0.0, False),
        ("fx-multiple", ChoicesAnswer((0, 2)), 1.0, True),
        ("fx-multiple", ChoicesAnswer((0,)), 0.5, False),
        ("fx-multiple", ChoicesAnswer((0, 1, 2)), 0.5, False),
        ("fx-multiple", ChoicesAnswer((1, 3)), 0.0, False),
        ("fx-numeric", NumberAnswer(1333), 1.0, True),
        ("fx-numeric", NumberAnswer(1433), 1.0, True),  # edge of the ±100 tolerance
        ("fx-numeric", NumberAnswer(1434), 0.0, False),
        ("fx-numeric", NumberAnswer(1232.5), 0.0, False),
        ("fx-heads", NumberAnswer(128), 1.0, True),  # tolerance 0: exact only
        ("fx-heads", NumberAnswer(128.5), 0.0, False),
        ("fx-single", None, 0.0, False),  # skipped
    ],
)
def test_fixed_types(question_id, response, score, correct):
    result = grade(BANK.get(question_id), response)
    assert (result.score, result.correct) == (score, correct)


def test_within_allows_float_noise_only():
    assert within(0.1 + 0.2, 0.3, 0)
    assert not within(0.3001, 0.3, 0)


@pytest.mark.parametrize(
    ("typed", "value"),
    [
        ("42", 42),
        ("$0.0525", 0.0525),
        ("1,024", 1024),
        ("64x", 64),
        ("12.5 %", 12.5),
        ("  7 tokens ", 7),
        ("-3e2", -300),
    ],
)
def test_numbers_as_people_type_them(typed, value):
    assert parse_number(typed) == value


@pytest.mark.parametrize(
    ("question_id", "fields", "message"),
    [
        ("fx-single", {"choice": ["7"]}, "not one of the 3 choices"),
        ("fx-single", {"choice": ["0", "1"]}, "exactly one"),
        ("fx-single", {"choice": ["zero"]}, "not one of"),
        ("fx-multiple", {"choice": []}, "at least one"),
        ("fx-numeric", {"value": "about a thousand"}, "not a number"),
        ("fx-numeric", {"value": "nan"}, "finite"),
        ("fx-free-text", {"text": "x" * 5001}, "5,000"),
        ("fx-free-text", {"text": "   "}, "Write an answer"),
    ],
)
def test_answers_that_do_not_fit_their_question(question_id, fields, message):
    kwargs = {"choice": [], "value": None, "text": None, **fields}
    with pytest.raises(AnswerInputError, match=message):
        parse_response(BANK.get(question_id), **kwargs)


@pytest.mark.parametrize("generator", sorted(GENERATORS))
def test_same_seed_same_numbers_and_the_answer_grades_right(generator):
    first, again = generate(generator, 1234, TOOLS), generate(generator, 1234, TOOLS)
    assert first == again
    question = next(
        q for q in BANK.questions.values() if q.type == "generated" and q.spec.generator == generator
    )
    assert grade(question, NumberAnswer(first.answer), instance=first).correct
    off = first.answer + first.tolerance + max(1.0, abs(first.answer))
    assert not grade(question, NumberAnswer(off), instance=first).correct


@pytest.mark.parametrize("generator", sorted(GENERATORS))
def test_seeds_vary_the_numbers(generator):
    bodies = {generate(generator, seed, TOOLS).body_md for seed in range(12)}
    assert len(bodies) > 1


def test_token_count_is_cl100k_base():
    encoding = _ENCODINGS.get("cl100k_base")
    for seed in range(20):
        instance = generate("token_count", seed, TOOLS)
        assert instance.answer == len(encoding.encode(instance.given["text"], allow_special=True))


def test_nucleus_size_matches_the_sampling_module():
    for seed in range(20):
        instance = generate("nucleus_size", seed, TOOLS)
        probs = [p / 100 for p in instance.given["percents"]]
        assert sum(instance.given["percents"]) == 100
        assert instance.answer == len(
            stages_from_probs(probs, SamplingParams(top_p=instance.given["top_p"])).kept
        )


def test_softmax_temperature_matches_the_sampling_module():
    for seed in range(10):
        instance = generate("softmax_temperature", seed, TOOLS)
        logits = torch.tensor(instance.given["logits"], dtype=torch.float64)
        expected = float(apply_temperature(logits, instance.given["temperature"])[0]) * 100
        assert instance.answer == pytest.approx(expected)


def test_attention_ratio_is_the_square_of_the_length_ratio():
    for seed in range(20):
        instance = generate("attention_cost_ratio", seed, TOOLS)
        assert instance.answer == (instance.given["long"] / instance.given["short"]) ** 2


def test_request_cost_uses_catalog_prices():
    prices = {p.name: p for p in TOOLS.prices}
    assert (prices["GPT-4o"].input_usd_per_mtok, prices["GPT-4o"].output_usd_per_mtok) == (2.5, 10)
    for seed in range(10):
        instance = generate("request_cost", seed, TOOLS)
        price = prices[instance.given["model"]]
        expected = (
            instance.given["input_tokens"] * price.input_usd_per_mtok
            + instance.given["output_tokens"] * price.output_usd_per_mtok
        ) / 1e6
        assert instance.answer == pytest.approx(expected)


def test_free_text_grade_shows_covered_and_missed_points(sentence_encoder):
    question = BANK.get("fx-free-text")
    answer = TextAnswer(
        "The model only sees tokens, chunks of the word, never its characters, so counting letters is a guess"
    )
    result = grade(question, answer, encoder=sentence_encoder)
    covered = [p["covered"] for p in result.detail["points"]]
    assert covered[0] and not covered[3]
    assert result.score == sum(covered) / 4
