"""Sampling rules, one by one, against hand-computed numbers."""

import math

import pytest
import torch

from app.lm.sampling import (
    SamplingParams,
    apply_penalties,
    apply_temperature,
    entropy_bits,
    logits_from_probs,
    rank_order,
    sample,
    sampling_stages,
    stages_from_probs,
    token_counts,
    top_k_filter,
    top_p_filter,
)

MODULE_EXAMPLE = [0.40, 0.25, 0.15, 0.10, 0.05, 0.03, 0.02]


@pytest.mark.parametrize(("top_p", "kept"), [(0.80, 3), (0.95, 5), (0.40, 1), (0.41, 2), (0.05, 1), (1.0, 7)])
def test_module_worked_example_top_p(top_p, kept):
    stages = stages_from_probs(MODULE_EXAMPLE, SamplingParams(top_p=top_p))
    assert stages.kept == list(range(kept))
    assert math.isclose(float(stages.final.sum()), 1.0)
    expected = torch.tensor(MODULE_EXAMPLE[:kept], dtype=torch.float64)
    assert torch.allclose(stages.final[:kept], expected / expected.sum())


def test_worked_example_survives_float_rounding_either_way():
    # 0.40 + 0.25 + 0.15 is not exactly 0.80 in float64; the tolerance decides, not the rounding.
    for probs in ([0.4, 0.25, 0.15, 0.2], [0.15, 0.4, 0.25, 0.2]):
        assert len(top_p_filter(torch.tensor(probs, dtype=torch.float64), 0.8).nonzero()) == 3
    nudged = torch.tensor([0.4, 0.25, 0.15 - 1e-7, 0.1, 0.1 + 1e-7], dtype=torch.float64)
    assert len(top_p_filter(nudged, 0.8).nonzero()) == 4  # a real shortfall is not forgiven


def test_rank_order_breaks_ties_by_lower_id():
    assert rank_order(torch.tensor([0.2, 0.4, 0.2, 0.2])).tolist() == [1, 0, 2, 3]


def test_greedy_ties_go_to_lower_id():
    stages = sampling_stages(torch.tensor([1.0, 3.0, 3.0, 2.0]), SamplingParams(temperature=0))
    assert stages.tempered.tolist() == [0.0, 1.0, 0.0, 0.0]
    assert stages.kept == [1]


def test_top_k_ties_go_to_lower_id():
    out = top_k_filter(torch.tensor([0.1, 0.3, 0.3, 0.3], dtype=torch.float64), 2)
    assert out.tolist() == [0.0, 0.5, 0.5, 0.0]


def test_top_p_ties_go_to_lower_id():
    out = top_p_filter(torch.tensor([0.2, 0.4, 0.2, 0.2], dtype=torch.float64), 0.6)
    assert out.nonzero().flatten().tolist() == [0, 1]


def test_top_p_keeps_at_least_one_token():
    out = top_p_filter(torch.tensor([0.5, 0.5], dtype=torch.float64), 1e-12)
    assert out.tolist() == [1.0, 0.0]


def test_top_p_works_on_the_distribution_after_top_k():
    # After top-k 2 the distribution is [0.625, 0.375]; 0.6 of that is reached by one token.
    stages = stages_from_probs([0.5, 0.3, 0.2], SamplingParams(top_k=2, top_p=0.6))
    assert torch.allclose(stages.after_top_k, torch.tensor([0.625, 0.375, 0.0], dtype=torch.float64))
    assert stages.kept == [0]


def test_temperature_zero_is_greedy_and_tiny_temperature_is_stable():
    logits = torch.tensor([2.0, 5.0, 4.999, -1e4, float("-inf")])
    zero = apply_temperature(logits.double(), 0.0)
    tiny = apply_temperature(logits.double(), 1e-6)
    assert zero.tolist() == [0.0, 1.0, 0.0, 0.0, 0.0]
    assert torch.isfinite(tiny).all() and torch.allclose(tiny, zero)
    tie = apply_temperature(torch.tensor([1.0, 1.0, 0.0], dtype=torch.float64), 1e-6)
    assert tie.tolist() == [0.5, 0.5, 0.0]


def test_temperature_divides_logits():
    logits = torch.tensor([0.0, math.log(3.0)], dtype=torch.float64)
    assert torch.allclose(apply_temperature(logits, 1.0), torch.tensor([0.25, 0.75], dtype=torch.float64))
    halved = apply_temperature(logits, 2.0)  # exp(log3 / 2) = sqrt(3)
    s3 = math.sqrt(3)
    assert torch.allclose(halved, torch.tensor([1 / (1 + s3), s3 / (1 + s3)], dtype=torch.float64))


def test_penalty_arithmetic():
    logits = torch.tensor([1.0, 1.0, 1.0, 1.0], dtype=torch.float64)
    counts = token_counts([0, 0, 0, 2], 4)
    assert counts.tolist() == [3.0, 0.0, 1.0, 0.0]
    out = apply_penalties(logits, counts, frequency_penalty=0.5, presence_penalty=1.0)
    assert out.tolist() == [1 - 1.5 - 1.0, 1.0, 1 - 0.5 - 1.0, 1.0]
    negative = apply_penalties(logits, counts, frequency_penalty=-1.0, presence_penalty=0.0)
    assert negative.tolist() == [4.0, 1.0, 2.0, 1.0]


def test_penalties_come_before_temperature():
    stages = sampling_stages(
        torch.tensor([2.0, 1.0]), SamplingParams(temperature=0, presence_penalty=2.0), context=[0]
    )
    assert stages.penalized_logits.tolist() == [0.0, 1.0]
    assert stages.kept == [1]


def test_zero_probability_stays_removed():
    params = SamplingParams(temperature=2.0, frequency_penalty=-2.0, presence_penalty=-2.0)
    stages = stages_from_probs([0.5, 0.0, 0.5], params, context=[1, 1, 1])
    for dist in (stages.original, stages.penalized, stages.tempered, stages.final):
        assert dist[1] == 0.0
    assert torch.isneginf(logits_from_probs([0.5, 0.0, 0.5])[1])
    generator = torch.Generator().manual_seed(0)
    assert all(sample(stages.final, generator) != 1 for _ in range(500))


def test_all_zero_or_bad_inputs_are_rejected():
    with pytest.raises(ValueError):
        logits_from_probs([0.0, 0.0])
    with pytest.raises(ValueError):
        logits_from_probs([0.5, -0.1])
    with pytest.raises(ValueError):
        sampling_stages(torch.tensor([float("nan"), 1.0]), SamplingParams())
    with pytest.raises(ValueError):
        sampling_stages(torch.tensor([float("-inf")] * 3), SamplingParams())


@pytest.mark.parametrize(
    ("params", "field"),
    [
        (SamplingParams(temperature=-0.1), "temperature"),
        (SamplingParams(temperature=2.01), "temperature"),
        (SamplingParams(temperature=float("nan")), "temperature"),
        (SamplingParams(top_p=0.0), "top_p"),
        (SamplingParams(top_p=1.01), "top_p"),
        (SamplingParams(top_k=-1), "top_k"),
        (SamplingParams(top_k=2.5), "top_k"),
        (SamplingParams(frequency_penalty=2.5), "frequency_penalty"),
        (SamplingParams(presence_penalty=-2.01), "presence_penalty"),
    ],
)
def test_validation_errors_name_the_parameter(params, field):
    with pytest.raises(ValueError, match=field):
        params.validate()


def test_edges_of_ranges_are_valid():
    SamplingParams(temperature=0, top_p=1.0, top_k=0, frequency_penalty=-2, presence_penalty=2).validate()
    SamplingParams(temperature=2.0, top_p=1e-9, top_k=10**6).validate()


def test_every_stage_is_a_distribution():
    logits = torch.randn(50, generator=torch.Generator().manual_seed(1))
    params = SamplingParams(temperature=0.7, top_k=20, top_p=0.9, frequency_penalty=0.3, presence_penalty=0.2)
    stages = sampling_stages(logits, params, context=[3, 3, 7])
    for dist in (stages.original, stages.penalized, stages.tempered, stages.after_top_k, stages.after_top_p):
        assert math.isclose(float(dist.sum()), 1.0, rel_tol=1e-12)
    assert stages.final is stages.after_top_p
    assert len(stages.kept) <= 20
    assert [float(stages.final[i]) for i in stages.kept] == sorted(
        (float(stages.final[i]) for i in stages.kept), reverse=True
    )


def test_seeded_sampling_reproduces_and_follows_probabilities():
    probs = torch.tensor([0.1, 0.6, 0.3], dtype=torch.float64)
    a = [sample(probs, torch.Generator().manual_seed(7)) for _ in range(5)]
    b = [sample(probs, torch.Generator().manual_seed(7)) for _ in range(5)]
    assert a == b
    generator = torch.Generator().manual_seed(0)
    draws = torch.tensor([sample(probs, generator) for _ in range(4000)])
    freq = torch.bincount(draws, minlength=3).double() / 4000
    assert torch.allclose(freq, probs, atol=0.03)


def test_sampling_one_hot_always_returns_that_token():
    generator = torch.Generator().manual_seed(0)
    assert {sample(torch.tensor([0.0, 0.0, 1.0, 0.0]), generator) for _ in range(100)} == {2}


@pytest.mark.parametrize(
    ("probs", "bits"),
    [([0.5, 0.5], 1.0), ([1.0, 0.0], 0.0), ([0.25] * 4, 2.0), ([0.5, 0.25, 0.25], 1.5)],
)
def test_entropy_bits(probs, bits):
    assert math.isclose(entropy_bits(probs), bits)


@pytest.mark.parametrize("field", ["temperature", "top_p", "frequency_penalty", "presence_penalty"])
def test_a_boolean_is_not_a_number(field):
    with pytest.raises(ValueError, match=field):
        SamplingParams(**{field: True}).validate()
