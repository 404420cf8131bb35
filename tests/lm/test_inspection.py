"""The forward walkthrough, the logit lens and the parameter count on a real tiny transformer."""

import pytest
import torch
from torch import nn

from app.lm.generate import next_token_logits
from app.lm.inspection import count_parameters, forward_trace, logit_lens, top_tokens
from app.lm.model import GPT, GPTConfig


@pytest.fixture
def ids(tokenizer) -> torch.Tensor:
    """A 12-token sequence of the test tokenizer's ids."""
    return torch.tensor(tokenizer.encode("The cat sat on the mat. The cat ate the rat.")[:12])


def test_trace_ends_in_the_models_own_logits(tiny_model, ids):
    trace = forward_trace(tiny_model, ids)
    logits, _ = tiny_model(ids[None])
    assert torch.allclose(trace.logits, logits, atol=1e-6)


def test_trace_keeps_every_step_with_its_shape(tiny_model, ids):
    c, T = tiny_model.config, len(ids)
    trace = forward_trace(tiny_model, ids)
    assert trace.idx.shape == (1, T)
    assert trace.tok_emb.shape == trace.embedded.shape == (1, T, c.n_embd)
    assert trace.pos_emb.shape == (T, c.n_embd)
    assert len(trace.blocks) == c.n_layer
    for block in trace.blocks:
        assert block.q.shape == block.k.shape == block.v.shape == (1, c.n_head, T, c.head_size)
        assert block.scores.shape == (1, c.n_head, T, T)
        assert block.ffn_hidden.shape == (1, T, 4 * c.n_embd)
        # The stream is the sum of what each sub-layer wrote into it.
        assert torch.allclose(block.after_ffn, block.after_attn + block.ffn_out)
    assert trace.logits.shape == (1, T, c.vocab_size)
    assert trace.residual_norms().shape == (c.n_layer + 1, T)
    assert trace.sublayer_norms().shape == (2 * c.n_layer + 1, T)
    assert torch.allclose(trace.residual_norms()[0], trace.embedded[0].norm(dim=-1))


def test_logit_lens_at_the_last_layer_is_the_models_next_token_distribution(tiny_model, ids):
    trace = forward_trace(tiny_model, ids)
    lens = logit_lens(tiny_model, trace.residual_streams())
    assert lens.shape == (tiny_model.config.n_layer + 1, len(ids), tiny_model.config.vocab_size)
    logits, _ = tiny_model(ids[None])
    assert torch.allclose(lens[-1], torch.softmax(logits[0], dim=-1), atol=1e-6)
    # The same distribution the sampling lab and generation use (the KV-cache path), at the last position.
    own = torch.softmax(next_token_logits(tiny_model, ids.tolist()), dim=-1).float()
    assert torch.allclose(lens[-1, -1], own, atol=1e-6)
    assert torch.allclose(lens.sum(dim=-1), torch.ones(lens.shape[:2]), atol=1e-5)


def test_logit_lens_of_an_earlier_layer_differs_from_the_output(tiny_model, ids):
    trace = forward_trace(tiny_model, ids)
    lens = logit_lens(tiny_model, trace.residual_streams())
    assert not torch.allclose(lens[0].log(), lens[-1].log(), atol=1e-2)  # log: near-uniform at init


def test_top_tokens_are_sorted_and_come_from_the_distribution(tiny_model, ids):
    lens = logit_lens(tiny_model, forward_trace(tiny_model, ids).residual_streams())
    best = top_tokens(lens, 3)
    assert best.ids.shape == best.probs.shape == (tiny_model.config.n_layer + 1, len(ids), 3)
    assert torch.all(best.probs[..., :-1] >= best.probs[..., 1:])
    assert torch.equal(torch.gather(lens, -1, best.ids), best.probs)


@pytest.mark.parametrize(
    "idx",
    [
        torch.zeros(2, 3, dtype=torch.long),
        torch.zeros(1, 0, dtype=torch.long),
        torch.zeros(33, dtype=torch.long),
    ],
)
def test_trace_refuses_batches_empty_and_too_long_sequences(tiny_model, idx):
    with pytest.raises(ValueError):
        forward_trace(tiny_model, idx)


@pytest.mark.parametrize(("n_layer", "n_head", "n_embd"), [(2, 2, 16), (1, 4, 32), (3, 3, 24)])
def test_parameter_count_by_component_sums_to_numel(n_layer, n_head, n_embd):
    model = GPT(GPTConfig(vocab_size=300, context_length=16, n_layer=n_layer, n_head=n_head, n_embd=n_embd))
    counted = count_parameters(model)
    assert counted.total == sum(p.numel() for p in model.parameters())
    parts = counted.by_component()
    assert parts["token_embedding"] == 300 * n_embd
    assert parts["position_embedding"] == 16 * n_embd
    assert parts["output_head"] == 0 and counted.tied_output_head
    assert parts["final_norm"] == 2 * n_embd
    assert parts["norms"] == n_layer * 4 * n_embd


def test_an_untied_head_is_counted_as_its_own_component():
    model = GPT(GPTConfig(vocab_size=300, context_length=16, n_layer=1, n_head=2, n_embd=16))
    model.lm_head.weight = nn.Parameter(model.transformer.wte.weight.detach().clone())
    counted = count_parameters(model)
    assert not counted.tied_output_head
    assert counted.by_component()["output_head"] == 300 * 16
    assert counted.total == sum(p.numel() for p in model.parameters())


def test_a_parameter_of_no_known_component_is_an_error():
    model = GPT(GPTConfig(vocab_size=300, context_length=16, n_layer=1, n_head=2, n_embd=16))
    model.probe = nn.Linear(2, 2)
    with pytest.raises(ValueError, match="probe"):
        count_parameters(model)
