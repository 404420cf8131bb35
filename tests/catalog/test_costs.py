"""Cost arithmetic, output/input ratios and the model chooser, on the real catalog and genai-prices."""

import re
import shutil
from datetime import date

import pytest

from app.catalog.chooser import load_framework, module_framework, suggest
from app.catalog.dataset import load_price_dataset
from app.catalog.models import load_catalog
from app.catalog.service import (
    MAX_TOKENS,
    TokenCountError,
    UnknownModelError,
    Workload,
    count_tokens,
    every_model_cost,
    module_cost,
    price_ratios,
    ratio_claim,
    request_cost,
)
from app.config import ROOT, Settings
from app.lessons.content import ContentError, load_course
from app.tokenizer.encodings import load_encodings

ENCODINGS = load_encodings(Settings())
CATALOG = load_catalog(ROOT / "content" / "models.yaml", encodings=ENCODINGS.names)
DATASET = load_price_dataset(CATALOG, on=date(2026, 12, 1))
COURSE = load_course(ROOT / "content")
FRAMEWORK = load_framework(
    ROOT / "content" / "model_selection.yaml", catalog=CATALOG, lesson=COURSE.lesson("model-families")
)


@pytest.mark.parametrize(
    ("model_id", "tokens", "usd"),
    [
        ("gpt-4o", (1_000_000, 0, 0), 2.50),
        ("gpt-4o", (0, 1_000_000, 0), 10.0),
        ("claude-opus-4", (2_000, 500, 0), 0.03 + 0.0375),
        (
            "gpt-4o-mini",
            (10_000, 1_000, 4_000),
            10_000 * 0.15 / 1e6 + 1_000 * 0.60 / 1e6,
        ),  # cached: input price
        ("gemini-2-0-flash", (0, 0, 0), 0.0),
    ],
)
def test_module_cost_is_the_modules_formula(model_id, tokens, usd):
    n_in, n_out, cached = tokens
    cost = module_cost(CATALOG.get(model_id), Workload(n_in, n_out, cached))
    assert cost.total_usd == pytest.approx(usd)
    assert cost.input_usd + cost.cached_input_usd + cost.output_usd == pytest.approx(cost.total_usd)


def test_cached_tokens_cost_the_input_price_with_the_modules_figures():
    cost = module_cost(CATALOG.get("gpt-4o"), Workload(4_000, 0, 1_000))
    assert cost.cached_at_input_price and cost.cached_price == 2.5
    assert (cost.input_usd, cost.cached_input_usd) == pytest.approx((3_000 * 2.5 / 1e6, 1_000 * 2.5 / 1e6))


@pytest.mark.parametrize("model_id", ["llama-3-3-70b", "gemini-2-5-pro", "claude-3-5-sonnet"])
def test_no_module_price_no_module_cost(model_id):
    assert module_cost(CATALOG.get(model_id), Workload(1_000, 1_000)) is None


@pytest.mark.parametrize(
    ("tokens", "message"),
    [
        ((-1, 0, 0), "input_tokens must be between 0 and"),
        ((0, MAX_TOKENS + 1, 0), "output_tokens must be between 0 and"),
        ((10, 0, 11), "cannot exceed input_tokens"),
    ],
)
def test_impossible_token_counts_are_refused(tokens, message):
    with pytest.raises(TokenCountError, match=message):
        Workload(*tokens)


def test_unknown_model_names_the_known_ones():
    with pytest.raises(UnknownModelError, match="choose one of: gpt-4o, gpt-4o-mini"):
        request_cost(catalog=CATALOG, dataset=DATASET, model_id="gpt-5", workload=Workload(1, 1))


@pytest.mark.parametrize("source", ["module", "genai-prices"])
def test_every_model_is_priced_cheapest_first_unpriced_last(source):
    costs = every_model_cost(catalog=CATALOG, dataset=DATASET, workload=Workload(2_000, 500), source=source)
    assert len(costs) == len(CATALOG.models)
    totals = [cost.total(source) for cost in costs]
    priced = [t for t in totals if t is not None]
    assert priced == sorted(priced) and totals[: len(priced)] == priced
    expected_unpriced = 7 if source == "module" else 1
    assert len(totals) - len(priced) == expected_unpriced


def test_pasted_text_is_counted_with_each_models_encoding():
    counts = count_tokens(ENCODINGS, CATALOG, "Hello, world! 12345 strawberry")
    assert set(counts) == {"o200k_base", "cl100k_base"}
    costs = every_model_cost(
        catalog=CATALOG,
        dataset=DATASET,
        workload=Workload(0, 100),
        source="module",
        input_counts=counts,
    )
    by_id = {cost.model.id: cost for cost in costs}
    assert by_id["gpt-4o"].workload.input_tokens == counts["o200k_base"]
    assert by_id["claude-opus-4"].workload.input_tokens == counts["cl100k_base"]
    assert all(cost.counted_from_text and cost.workload.output_tokens == 100 for cost in costs)


def test_the_ratio_claim_is_read_from_the_lesson():
    low, high, sentence = ratio_claim(COURSE.lesson("mental-models"))
    assert (low, high) == (2, 6)
    assert sentence == "Output tokens are typically 2-6x more expensive than input tokens."


def test_real_ratios_against_the_modules_2_to_6x():
    ratios = {r.model.id: r for r in price_ratios(CATALOG, DATASET, low=2, high=6)}
    module = [r.module for r in ratios.values() if r.module is not None]
    assert len(module) == 10 and min(module) == 4.0 and max(module) == 5.0  # every module price inside 2-6x
    outside = {model_id for model_id, r in ratios.items() if r.outside(r.dataset)}
    assert outside == {"gemini-2-5-pro", "llama-3-3-70b", "qwen-2-5-72b"}
    assert ratios["gemini-2-5-pro"].dataset == 8.0


def test_the_framework_is_the_lessons_block():
    parsed = module_framework(COURSE.lesson("model-families"))
    assert [question for question, _, _ in parsed] == [need.question for need in FRAMEWORK.needs]
    assert parsed[0] == (
        "Is it a simple task?",
        "classification, extraction, simple generation",
        "GPT-4o-mini / Haiku / Gemini Flash",
    )


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (
            lambda t: t.replace("question: Best general-purpose?", "question: Best all-rounder?"),
            "lesson's framework",
        ),
        (
            lambda t: t.replace("models: [claude-sonnet-4, gpt-4o]", "models: [claude-sonnet-5]"),
            "claude-sonnet-5",
        ),
        (lambda t: t.replace("    examples: high volume, low margins\n", ""), "examples"),
    ],
)
def test_a_framework_that_is_not_the_modules_stops_startup(tmp_path, edit, message):
    path = tmp_path / "model_selection.yaml"
    shutil.copy(ROOT / "content" / "model_selection.yaml", path)
    path.write_text(edit(path.read_text(encoding="utf-8")), encoding="utf-8")
    with pytest.raises(ContentError, match=re.escape(message)):
        load_framework(path, catalog=CATALOG, lesson=COURSE.lesson("model-families"))


def _suggested(chosen, tokens=(2_000, 500), requests=1_000):
    return suggest(
        framework=FRAMEWORK,
        catalog=CATALOG,
        dataset=DATASET,
        chosen=chosen,
        workload=Workload(*tokens),
        requests=requests,
    )


def test_one_need_suggests_the_modules_models_cheapest_first():
    suggestions = _suggested(["reasoning"])
    assert {s.model.id for s in suggestions} == {"o3", "o3-mini", "deepseek-r1", "claude-opus-4"}
    costs = [s.per_request_usd for s in suggestions]
    assert costs == sorted(costs)
    assert (
        suggestions[0].model.id == "deepseek-r1" and suggestions[0].source == "genai-prices"
    )  # no module price
    opus = next(s for s in suggestions if s.model.id == "claude-opus-4")
    assert opus.source == "module" and opus.workload_usd == pytest.approx(1_000 * (0.03 + 0.0375))


def test_models_meeting_more_needs_come_first():
    suggestions = _suggested(["simple", "low-cost"])
    assert [len(s.needs) for s in suggestions] == [2, 2, 1, 1]
    assert {s.model.id for s in suggestions[:2]} == {"gpt-4o-mini", "gemini-2-0-flash"}


def test_a_request_too_long_for_a_window_sorts_last():
    suggestions = _suggested(["reasoning", "huge-context"], tokens=(300_000, 1_000))
    fits = [s.fits for s in suggestions]
    assert fits == sorted(fits, reverse=True)
    assert {s.model.id for s in suggestions if s.fits} == {"gemini-2-0-flash", "gemini-2-0-pro"}


def test_no_need_no_suggestion():
    assert _suggested([]) == []
