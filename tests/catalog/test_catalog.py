"""content/models.yaml: the module's model tables as data, validated, each model with a loaded encoding."""

import re

import pytest
import tiktoken

from app.catalog.models import PRICE, load_catalog, tokens_from_cell
from app.config import ROOT
from app.lessons.content import ContentError

CATALOG = ROOT / "content" / "models.yaml"
LESSON = ROOT / "content" / "lessons" / "06-model-families.md"
ENCODINGS = ["cl100k_base", "o200k_base"]


def module_rows() -> dict[str, str]:
    """Model name -> Cost cell, from the lesson's (the module's) Major Model Families tables."""
    rows = {}
    for line in LESSON.read_text(encoding="utf-8").splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) == 5 and cells[0] not in ("Model", "---") and not re.fullmatch(r"-+", cells[0]):
            rows[cells[0]] = cells[-1]
    return rows


@pytest.fixture(scope="module")
def catalog():
    """The real catalog."""
    return load_catalog(CATALOG, encodings=ENCODINGS)


def test_every_module_model_and_price_is_in_the_catalog_verbatim(catalog):
    in_table = {model.name: model.cost for model in catalog.models if model.in_families_table}
    assert in_table == module_rows()
    assert "Major Model Families" in catalog.source and "Current Context Windows" in catalog.source
    assert catalog.as_of == "early 2026"


def test_a_model_only_in_the_context_table_has_no_invented_figures(catalog):
    sonnet = catalog.get("claude-3-5-sonnet")
    assert not sonnet.in_families_table
    assert (sonnet.cost, sonnet.strengths, sonnet.weaknesses) == (None, None, None)
    assert (sonnet.input_usd_per_mtok, sonnet.output_usd_per_mtok) == (None, None)
    assert (sonnet.context, sonnet.max_output, sonnet.notes) == ("200K", "8K", "Large input, moderate output")


def test_the_module_gives_no_cached_input_price(catalog):
    assert all(model.cached_input_usd_per_mtok is None for model in catalog.models)


@pytest.mark.parametrize(
    ("name", "price"),
    [
        ("GPT-4o", 2.50),
        ("o3-mini", 1.10),
        ("Gemini 2.0 Flash", 0.10),
        ("Gemini 2.5 Pro", None),
        ("DeepSeek-V3", None),
    ],
)
def test_input_prices_are_read_from_the_cost_text(catalog, name, price):
    assert next(m for m in catalog.models if m.name == name).input_usd_per_mtok == price


@pytest.mark.parametrize(
    ("name", "prices"),
    [
        ("GPT-4o", (2.50, 10.0)),
        ("o3-mini", (1.10, 4.40)),
        ("Claude Opus 4", (15.0, 75.0)),
        ("Qwen 2.5 72B", None),
    ],
)
def test_output_prices_are_read_from_the_same_cost_cell(catalog, name, prices):
    model = next(m for m in catalog.models if m.name == name)
    expected = prices or (None, None)
    assert (model.input_usd_per_mtok, model.output_usd_per_mtok) == expected
    match = PRICE.fullmatch(model.cost)
    assert (match is None) is (prices is None)


@pytest.mark.parametrize(
    ("model_id", "context_tokens", "max_output_tokens"),
    [
        ("gpt-4o", 128_000, 16_000),
        ("claude-opus-4", 200_000, 32_000),
        ("gemini-2-0-pro", 2_000_000, 8_000),
        ("llama-3-3-70b", 128_000, None),  # "varies"
        ("o1", 200_000, None),  # only the shared "o1 / o3" row gives a (range of) max output
        ("o3-mini", 200_000, None),  # not in the Context Windows table
    ],
)
def test_windows_in_tokens_are_read_from_the_cells(catalog, model_id, context_tokens, max_output_tokens):
    model = catalog.get(model_id)
    assert (model.context_tokens, model.max_output_tokens) == (context_tokens, max_output_tokens)


@pytest.mark.parametrize(
    ("cell", "tokens"), [("128K", 128_000), ("1M", 1_000_000), ("32K-100K", None), (None, None)]
)
def test_tokens_from_cell(cell, tokens):
    assert tokens_from_cell(cell) == tokens


def test_openai_models_use_the_encoding_tiktoken_maps_them_to(catalog):
    exact = [model for model in catalog.models if model.exact]
    assert {model.id for model in exact} == {"gpt-4o", "gpt-4o-mini", "o1", "o3", "o3-mini"}
    for model in exact:
        assert tiktoken.encoding_name_for_model(model.id) == model.encoding, model.id


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda text: text.replace('cost: "~$2.50 / $10"', 'cost: "~$2.50/$10"'), "looks like a price"),
        (lambda text: text.replace("encoding: o200k_base", "encoding: p50k_base", 1), "not loaded"),
        (lambda text: text.replace("    estimate_encoding: cl100k_base\n", "", 1), "exactly one"),
        (lambda text: text + "oops: true\n", "oops"),
        (lambda text: text.replace("family: OpenAI GPT Series", "family: OpenAI", 1), "not in 'families'"),
        (
            lambda text: text.replace("  - models: [gpt-4o]\n", "  - models: [gpt-5]\n"),
            "'gpt-5', not in 'models'",
        ),
        (lambda text: text.replace("    context: 128K-200K\n", ""), "covers several models"),
        (lambda text: text.replace("    strengths: Best reasoning model\n", ""), "needs 'cost', 'strengths'"),
        (lambda text: text.replace("    max_output: 16K\n", "", 1), "no max_output"),
        (lambda text: text.replace("context: 2M", "context: two million"), "not a number of K or M"),
    ],
)
def test_a_bad_catalog_stops_startup_naming_the_problem(tmp_path, edit, message):
    path = tmp_path / "models.yaml"
    path.write_text(edit(CATALOG.read_text(encoding="utf-8")), encoding="utf-8")
    with pytest.raises(ContentError, match=re.escape(message)):
        load_catalog(path, encodings=ENCODINGS)
