"""The transformer: shapes, causality, attention introspection, and that it can learn."""

import math

import pytest
import torch

from app.lm.model import GPT, GPTConfig, KVCache, causal_mask


def ids(config: GPTConfig, T: int, seed: int = 0) -> torch.Tensor:
    """Random token ids (1, T)."""
    return torch.randint(0, config.vocab_size, (1, T), generator=torch.Generator().manual_seed(seed))


def test_forward_shapes_and_loss(tiny_model, tiny_config):
    x = torch.randint(0, tiny_config.vocab_size, (3, 10))
    logits, loss = tiny_model(x)
    assert logits.shape == (3, 10, tiny_config.vocab_size)
    assert loss is None
    _, loss = tiny_model(x, x)
    # Untrained, the prediction is near uniform: loss ~ ln(vocab).
    assert abs(loss.item() - math.log(tiny_config.vocab_size)) < 0.5


def test_rejects_sequences_longer_than_context(tiny_model, tiny_config):
    with pytest.raises(ValueError, match="context length"):
        tiny_model(ids(tiny_config, tiny_config.context_length + 1))


def test_config_needs_heads_to_divide_width():
    with pytest.raises(ValueError, match="n_head"):
        GPTConfig(n_embd=10, n_head=3)


def test_weight_tying_counts_embedding_once(tiny_model, tiny_config):
    assert tiny_model.lm_head.weight is tiny_model.transformer.wte.weight
    c = tiny_config
    per_block = 12 * c.n_embd**2 + 13 * c.n_embd
    expected = c.vocab_size * c.n_embd + c.context_length * c.n_embd + c.n_layer * per_block + 2 * c.n_embd
    assert tiny_model.num_params() == expected


@pytest.mark.parametrize("changed", [0, 5, 11])
def test_changing_a_later_token_never_changes_earlier_logits(tiny_model, tiny_config, changed):
    x = ids(tiny_config, 12)
    y = x.clone()
    y[0, changed] = (y[0, changed] + 1) % tiny_config.vocab_size
    with torch.no_grad():
        a, _ = tiny_model(x)
        b, _ = tiny_model(y)
    assert torch.allclose(a[0, :changed], b[0, :changed], atol=1e-6)
    assert not torch.allclose(a[0, changed:], b[0, changed:], atol=1e-6)


def test_causal_mask_example():
    assert causal_mask(3).tolist() == [[False, True, True], [False, False, True], [False, False, False]]


def test_attention_rows_sum_to_one_and_are_zero_above_diagonal(tiny_model, tiny_config):
    T = 9
    logits, attention = tiny_model.forward_with_attention(ids(tiny_config, T)[0])
    assert logits.shape == (T, tiny_config.vocab_size)
    assert attention.shape == (tiny_config.n_layer, tiny_config.n_head, T, T)
    assert torch.allclose(
        attention.sum(-1), torch.ones(tiny_config.n_layer, tiny_config.n_head, T), atol=1e-6
    )
    above = causal_mask(T).expand_as(attention)
    assert (attention[above] == 0).all()  # exactly zero, not merely small
    assert (attention[~above] > 0).all()


def test_forward_with_attention_matches_plain_forward(tiny_model, tiny_config):
    x = ids(tiny_config, 16)
    with torch.no_grad():
        plain, _ = tiny_model(x)
    explicit, _ = tiny_model.forward_with_attention(x)
    assert torch.allclose(plain[0], explicit, atol=1e-5)


def test_head_internals_are_consistent(tiny_model, tiny_config):
    x = ids(tiny_config, 7)
    _, attention = tiny_model.forward_with_attention(x)
    for layer in range(tiny_config.n_layer):
        for head in range(tiny_config.n_head):
            h = tiny_model.head_internals(x, layer, head)
            d_k = tiny_config.head_size
            assert h["q"].shape == h["k"].shape == h["v"].shape == (7, d_k)
            assert int(h["d_k"]) == d_k
            assert torch.allclose(h["scores"], h["q"] @ h["k"].T)
            assert torch.allclose(h["scaled"], h["scores"] / math.sqrt(d_k))
            assert torch.isneginf(h["masked"][causal_mask(7)]).all()
            assert torch.equal(h["masked"][~causal_mask(7)], h["scaled"][~causal_mask(7)])
            assert torch.allclose(h["weights"], torch.softmax(h["masked"], dim=-1))
            assert torch.allclose(h["weights"], attention[layer, head], atol=1e-6)
            assert torch.allclose(h["output"], h["weights"] @ h["v"])
            # q is the block's normalised input times this head's slice of W_Q.
            attn = tiny_model.transformer.h[layer].attn
            cols = slice(head * d_k, (head + 1) * d_k)
            q = h["x"] @ attn.c_attn.weight[cols].T + attn.c_attn.bias[cols]
            assert torch.allclose(q, h["q"], atol=1e-6)


def test_head_internals_rejects_bad_indices(tiny_model, tiny_config):
    with pytest.raises(ValueError, match="layer"):
        tiny_model.head_internals(ids(tiny_config, 3), tiny_config.n_layer, 0)
    with pytest.raises(ValueError, match="head"):
        tiny_model.head_internals(ids(tiny_config, 3), 0, -1)


def test_introspection_runs_without_autograd(tiny_model, tiny_config):
    logits, attention = tiny_model.forward_with_attention(ids(tiny_config, 4))
    assert not logits.requires_grad and not attention.requires_grad


def test_kv_cache_matches_full_forward(tiny_model, tiny_config):
    x = ids(tiny_config, 10)
    with torch.no_grad():
        full, _ = tiny_model(x)
    cache = KVCache(tiny_config.n_layer)
    first = tiny_model.forward_cached(x[:, :6], cache)
    assert torch.allclose(first, full[:, 5], atol=1e-5)
    for t in range(6, 10):
        step = tiny_model.forward_cached(x[:, t : t + 1], cache)
        assert torch.allclose(step, full[:, t], atol=1e-5)
    assert cache.length == 10


def test_loss_decreases_on_a_repeated_string(tiny_config, tokenizer):
    torch.manual_seed(0)
    model = GPT(tiny_config)
    data = torch.tensor(tokenizer.encode("the cat sat on the mat. " * 20)[:33])
    x, y = data[:-1].unsqueeze(0), data[1:].unsqueeze(0)
    optimizer = torch.optim.AdamW(model.parameters(), lr=1e-2)
    losses = []
    for _ in range(30):
        _, loss = model(x, y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    assert losses[-1] < 0.5 * losses[0]
