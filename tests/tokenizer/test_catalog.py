"""content/models.yaml: the module's models and prices, verbatim, each with a loaded encoding."""

import re

import pytest
import tiktoken

from app.config import ROOT
from app.lessons.content import ContentError
from app.tokenizer.catalog import PRICE, load_catalog

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


def test_every_module_model_and_price_is_in_the_catalog_verbatim():
    catalog = load_catalog(ROOT / "content" / "models.yaml", encodings=ENCODINGS)
    assert {model.name: model.cost for model in catalog.models} == module_rows()
    assert "Major Model Families" in catalog.source


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
def test_input_prices_are_read_from_the_cost_text(name, price):
    catalog = load_catalog(ROOT / "content" / "models.yaml", encodings=ENCODINGS)
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
def test_output_prices_are_read_from_the_same_cost_cell(name, prices):
    catalog = load_catalog(ROOT / "content" / "models.yaml", encodings=ENCODINGS)
    model = next(m for m in catalog.models if m.name == name)
    expected = prices or (None, None)
    assert (model.input_usd_per_mtok, model.output_usd_per_mtok) == expected
    match = PRICE.fullmatch(model.cost)
    assert (match is None) is (prices is None)


def test_openai_models_use_the_encoding_tiktoken_maps_them_to():
    catalog = load_catalog(ROOT / "content" / "models.yaml", encodings=ENCODINGS)
    for model in catalog.models:
        if model.exact:
            assert tiktoken.encoding_name_for_model(model.id) == model.encoding, model.id


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda text: text.replace('cost: "~$2.50 / $10"', 'cost: "~$2.50/$10"'), "looks like a price"),
        (lambda text: text.replace("encoding: o200k_base", "encoding: p50k_base", 1), "not loaded"),
        (lambda text: text.replace("    estimate_encoding: cl100k_base\n", "", 1), "exactly one"),
        (lambda text: text + "oops: true\n", "oops"),
    ],
)
def test_a_bad_catalog_stops_startup_naming_the_problem(tmp_path, edit, message):
    path = tmp_path / "models.yaml"
    path.write_text(edit((ROOT / "content" / "models.yaml").read_text(encoding="utf-8")), encoding="utf-8")
    with pytest.raises(ContentError, match=message):
        load_catalog(path, encodings=ENCODINGS)
