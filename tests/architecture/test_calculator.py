"""The parameter calculator, the published presets and the diagram's layer counts."""

from dataclasses import replace
from pathlib import Path

import pytest

from app.architecture.calculator import (
    ConfigError,
    human_bytes,
    human_count,
    kv_cache_size,
    parameter_breakdown,
)
from app.architecture.claims import LayerClaim, check_layer_claims, layer_claims
from app.architecture.presets import PRESETS_FILE, load_presets
from app.architecture.service import lab_decoder_config, lab_parameters
from app.labmodel.service import load_model
from app.lessons.content import ContentError, load_course
from app.lm.inspection import count_parameters
from app.lm.model import GPT, GPTConfig

ROOT = Path(__file__).resolve().parents[2]
CONTENT = ROOT / "content"
SHIPPED = ROOT / "models" / "lab-small"
PRESETS = load_presets(CONTENT / PRESETS_FILE)
LLAMA_2_70B = PRESETS.get("llama-2-70b").decoder


@pytest.mark.parametrize("preset", PRESETS.presets, ids=lambda p: p.id)
def test_each_preset_matches_its_published_total_within_one_percent(preset):
    total = parameter_breakdown(preset.decoder).total
    assert abs(total - preset.published_total) <= 0.01 * preset.published_total, (
        f"{preset.name}: computed {total:,}, published {preset.published_total:,}"
    )
    assert preset.source.strip()


def test_the_presets_the_issue_names_are_there_with_their_shapes():
    shapes = {p.id: (p.config.n_layer, p.config.d_model, p.config.n_head) for p in PRESETS.presets}
    assert shapes["gpt-2-small"] == (12, 768, 12)
    assert shapes["gpt-3-175b"] == (96, 12288, 96)
    assert shapes["llama-2-7b"] == (32, 4096, 32)
    assert shapes["llama-2-70b"] == (80, 8192, 64)
    assert LLAMA_2_70B.n_kv_head == 8 and LLAMA_2_70B.attention_kind == "GQA"


@pytest.mark.parametrize(
    ("n_layer", "n_head", "n_embd", "context"),
    [(2, 2, 16, 32), (1, 4, 32, 8), (3, 3, 24, 64), (4, 6, 192, 256)],
)
def test_calculator_equals_the_weights_of_a_real_model_component_by_component(
    n_layer, n_head, n_embd, context
):
    model = GPT(
        GPTConfig(vocab_size=300, context_length=context, n_layer=n_layer, n_head=n_head, n_embd=n_embd)
    )
    breakdown = parameter_breakdown(lab_decoder_config(model))
    assert breakdown.by_key() == count_parameters(model).by_component()
    assert breakdown.total == sum(p.numel() for p in model.parameters())


def test_shipped_model_counted_from_its_weights_equals_numel_and_its_card():
    lab = load_model(SHIPPED)
    counted = lab_parameters(lab)
    assert counted.counted.total == counted.numel_total == sum(p.numel() for p in lab.model.parameters())
    assert counted.card_total == counted.counted.total == 2_615_424
    assert counted.formula.total == counted.counted.total
    assert counted.counted.tied_output_head


def test_grouped_query_attention_shrinks_k_and_v_only():
    per_layer = {c.key: c.per_layer for c in parameter_breakdown(LLAMA_2_70B).components}
    assert (
        per_layer["attention"] == 2 * 8192 * 8192 + 2 * 8192 * 1024
    )  # W_Q, W_O full; W_K, W_V 8 heads of 128
    assert per_layer["ffn"] == 3 * 8192 * 28672  # gated: three matrices
    mha = parameter_breakdown(replace(LLAMA_2_70B, n_kv_head=64)).components
    assert next(c.per_layer for c in mha if c.key == "attention") == 4 * 8192 * 8192


@pytest.mark.parametrize(
    ("preset_id", "per_token_bf16", "full_context_bf16"),
    [
        ("llama-2-7b", 2 * 32 * 32 * 128 * 2, 2 * 32 * 32 * 128 * 2 * 4096),  # 512 KiB, 2 GiB
        ("llama-2-70b", 2 * 80 * 8 * 128 * 2, 2 * 80 * 8 * 128 * 2 * 4096),  # 320 KiB, 1.25 GiB
        ("gpt-2-small", 2 * 12 * 12 * 64 * 2, 2 * 12 * 12 * 64 * 2 * 1024),
    ],
)
def test_kv_cache_per_token_and_full_context(preset_id, per_token_bf16, full_context_bf16):
    kv = kv_cache_size(PRESETS.get(preset_id).decoder)
    assert kv.bytes_per_token("bf16") == per_token_bf16
    assert kv.bytes_full_context("bf16") == full_context_bf16
    assert (
        kv.bytes_per_token("fp32") == 2 * per_token_bf16 and kv.bytes_per_token("int8") == per_token_bf16 // 2
    )


def test_tied_and_rope_configs_drop_their_tables():
    base = PRESETS.get("gpt-2-small").decoder
    untied = parameter_breakdown(replace(base, tied_embeddings=False))
    assert untied.total - parameter_breakdown(base).total == 50257 * 768
    rope = parameter_breakdown(replace(base, positions="rope"))
    assert rope.by_key()["position_embedding"] == 0


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"d_model": 4096, "n_head": 48}, "does not divide by heads"),
        ({"n_head": 32, "n_kv_head": 5}, "do not divide by KV heads"),
        ({"n_head": 8, "n_kv_head": 16}, "cannot outnumber"),
    ],
)
def test_configs_that_do_not_divide_are_refused(changes, message):
    config = replace(PRESETS.get("llama-2-7b").decoder, **changes)
    with pytest.raises(ConfigError, match=message):
        parameter_breakdown(config)
    with pytest.raises(ConfigError):
        kv_cache_size(config)


@pytest.mark.parametrize(
    ("n", "text"),
    [(124_439_808, "124.4M"), (6_738_415_616, "6.74B"), (174_604_259_328, "174.6B"), (999, "999")],
)
def test_human_count(n, text):
    assert human_count(n) == text


@pytest.mark.parametrize(("n", "text"), [(524_288, "512 KiB"), (1_342_177_280, "1.25 GiB"), (3, "3 B")])
def test_human_bytes(n, text):
    assert human_bytes(n) == text


def test_diagram_layer_claims_are_read_from_the_lesson():
    lesson = load_course(CONTENT).lesson("transformer-architecture")
    assert layer_claims(lesson) == (LayerClaim(32, "7B"), LayerClaim(80, "175B"))


def test_the_diagrams_175b_depth_is_wrong_and_80_layers_is_llama_2_70b():
    checks = {
        c.claim.size: c for c in check_layer_claims((LayerClaim(32, "7B"), LayerClaim(80, "175B")), PRESETS)
    }
    assert checks["7B"].holds is True
    wrong = checks["175B"]
    assert wrong.holds is False and wrong.preset.config.n_layer == 96
    assert [p.id for p in wrong.same_depth] == ["llama-2-70b"]
    assert wrong.total_at_claimed_depth < wrong.preset.computed_total


def test_a_claim_of_an_unknown_size_is_not_checked():
    (check,) = check_layer_claims((LayerClaim(40, "13B"),), PRESETS)
    assert check.preset is None and check.holds is None


@pytest.mark.parametrize(
    ("edit", "field"),
    [
        (lambda text: text.replace("n_head: 12\n", "n_head: 7\n", 1), "does not divide"),
        (lambda text: text.replace("n_layer: 12", "n_layer: 0", 1), "n_layer"),
        (lambda text: text.replace("    published_total: 124439808\n", "", 1), "published_total"),
    ],
)
def test_a_bad_presets_file_is_refused_with_the_field_named(tmp_path, edit, field):
    bad = tmp_path / PRESETS_FILE
    bad.write_text(edit((CONTENT / PRESETS_FILE).read_text(encoding="utf-8")), encoding="utf-8")
    with pytest.raises(ContentError, match=field):
        load_presets(bad)
