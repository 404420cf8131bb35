"""Open the model up: the forward pass step by step, the logit lens, and parameters per component.

Kept out of ``model.py`` on purpose: that file is the architecture, read top to bottom like the
module's diagram, and stays what a learner would write. This module only *reads* the same
submodules in the same order and keeps every intermediate. Because it repeats ``Block.forward``'s
two lines to keep the attention and FFN outputs apart, a test checks that its logits are the
model's own; a change to ``model.py`` that this walk does not follow fails there, not silently.
(Named ``inspection``, not ``inspect``, so it never shadows the standard library module.)

Logit lens: nostalgebraist, "interpreting GPT: the logit lens" (2020). Each layer's residual stream
goes through the final LayerNorm and the (tied) output projection, as if the stack stopped there.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import torch

from .model import GPT


@dataclass(frozen=True)
class BlockTrace:
    """What one pre-norm block computed; every tensor is batched like the model's own, B = 1."""

    attn_in: torch.Tensor  # (1, T, C) ln_1(x): what attention reads
    q: torch.Tensor  # (1, nh, T, hs)
    k: torch.Tensor  # (1, nh, T, hs)
    v: torch.Tensor  # (1, nh, T, hs)
    scores: torch.Tensor  # (1, nh, T, T) q k^T, before scaling and the causal mask
    attn_out: torch.Tensor  # (1, T, C) what attention adds to the stream (after W_O)
    after_attn: torch.Tensor  # (1, T, C) x + attn_out
    ffn_in: torch.Tensor  # (1, T, C) ln_2(x)
    ffn_hidden: torch.Tensor  # (1, T, 4C) gelu(W1 x + b1)
    ffn_out: torch.Tensor  # (1, T, C) what the FFN adds to the stream
    after_ffn: torch.Tensor  # (1, T, C) the block's output: the stream entering the next block


@dataclass(frozen=True)
class ForwardTrace:
    """The forward pass of one sequence, intermediate by intermediate."""

    idx: torch.Tensor  # (1, T) token ids
    positions: torch.Tensor  # (T,) 0..T-1
    tok_emb: torch.Tensor  # (1, T, C) rows of the token embedding table
    pos_emb: torch.Tensor  # (T, C) rows of the position embedding table
    embedded: torch.Tensor  # (1, T, C) tok_emb + pos_emb: the residual stream entering block 1
    blocks: tuple[BlockTrace, ...]
    final_norm: torch.Tensor  # (1, T, C) ln_f of the last block's output
    logits: torch.Tensor  # (1, T, vocab)

    def residual_streams(self) -> torch.Tensor:
        """The stream after the embedding and after each block: (n_layer + 1, T, C)."""
        return torch.cat([self.embedded] + [b.after_ffn for b in self.blocks])  # (L + 1, T, C)

    def residual_norms(self) -> torch.Tensor:
        """L2 norm of the stream per layer and position: (n_layer + 1, T)."""
        return self.residual_streams().norm(dim=-1)

    def sublayer_norms(self) -> torch.Tensor:
        """The stream's norm after every addition, embedding, +attn 1, +FFN 1, ...: (2 n_layer + 1, T)."""
        steps = [self.embedded]
        for b in self.blocks:
            steps += [b.after_attn, b.after_ffn]
        return torch.cat(steps).norm(dim=-1)  # (2L + 1, T)

    def next_token_probs(self) -> torch.Tensor:
        """The model's distribution over the token after the last position: (vocab,)."""
        return torch.softmax(self.logits[0, -1].float(), dim=-1)


def forward_trace(model: GPT, idx: torch.Tensor) -> ForwardTrace:
    """Run one sequence (T,) or (1, T) through ``model`` and keep every step (eval mode expected)."""
    if idx.dim() == 1:
        idx = idx.unsqueeze(0)
    if idx.dim() != 2 or idx.size(0) != 1:
        raise ValueError(f"expected one sequence of shape (T,) or (1, T), got {tuple(idx.shape)}")
    T = idx.size(1)
    if not 1 <= T <= model.config.context_length:
        raise ValueError(f"need 1 to {model.config.context_length} tokens, got {T}")
    t = model.transformer
    # no_grad rather than inference_mode: the tensors stay usable in any later computation.
    with torch.no_grad():
        positions = torch.arange(T, dtype=torch.long, device=idx.device)  # (T,)
        tok_emb = t.wte(idx)  # (1, T, C)
        pos_emb = t.wpe(positions)  # (T, C)
        x = t.drop(tok_emb + pos_emb)  # (1, T, C); dropout is the identity in eval mode
        embedded = x
        blocks = []
        for block in t.h:
            # Block.forward, x + attn(ln_1(x)) then x + mlp(ln_2(x)), with its parts kept.
            attn_in = block.ln_1(x)  # (1, T, C)
            q, k, v = block.attn.qkv(attn_in)  # 3 x (1, nh, T, hs)
            scores = q @ k.transpose(-2, -1)  # (1, nh, T, T)
            attn_out, _ = block.attn(attn_in)  # (1, T, C): the same call Block.forward makes
            after_attn = x + attn_out
            ffn_in = block.ln_2(after_attn)  # (1, T, C)
            ffn_hidden = block.mlp.gelu(block.mlp.c_fc(ffn_in))  # (1, T, 4C)
            ffn_out = block.mlp(ffn_in)  # (1, T, C)
            x = after_attn + ffn_out
            blocks.append(
                BlockTrace(
                    attn_in=attn_in,
                    q=q,
                    k=k,
                    v=v,
                    scores=scores,
                    attn_out=attn_out,
                    after_attn=after_attn,
                    ffn_in=ffn_in,
                    ffn_hidden=ffn_hidden,
                    ffn_out=ffn_out,
                    after_ffn=x,
                )
            )
        final_norm = t.ln_f(x)  # (1, T, C)
        logits = model.lm_head(final_norm)  # (1, T, vocab)
    return ForwardTrace(
        idx=idx,
        positions=positions,
        tok_emb=tok_emb,
        pos_emb=pos_emb,
        embedded=embedded,
        blocks=tuple(blocks),
        final_norm=final_norm,
        logits=logits,
    )


def logit_lens(model: GPT, residuals: torch.Tensor) -> torch.Tensor:
    """Next-token probabilities each layer would give if the stack stopped there: (L + 1, T, vocab).

    ``residuals`` is ``ForwardTrace.residual_streams()`` (L + 1, T, C). Row L is the model's own
    output: ln_f and the output projection are exactly the ones the forward pass ends with.
    """
    with torch.no_grad():
        logits = model.lm_head(model.transformer.ln_f(residuals))  # (L + 1, T, vocab)
        return torch.softmax(logits.float(), dim=-1)


@dataclass(frozen=True)
class TopTokens:
    """The k most probable tokens at each (layer, position)."""

    ids: torch.Tensor  # (L + 1, T, k) long
    probs: torch.Tensor  # (L + 1, T, k) float, most probable first


def top_tokens(probs: torch.Tensor, k: int) -> TopTokens:
    """The k most probable ids per row of a (..., vocab) distribution, most probable first."""
    values, ids = torch.topk(probs, k=min(k, probs.size(-1)), dim=-1)
    return TopTokens(ids=ids, probs=values)


# Component of each parameter, by its name in model.named_parameters(); the same keys as the
# calculator's components, so the two can be set side by side.
_COMPONENTS = (
    (re.compile(r"^transformer\.wte\."), "token_embedding"),
    (re.compile(r"^transformer\.wpe\."), "position_embedding"),
    (re.compile(r"^transformer\.h\.\d+\.ln_[12]\."), "norms"),
    (re.compile(r"^transformer\.h\.\d+\.attn\."), "attention"),
    (re.compile(r"^transformer\.h\.\d+\.mlp\."), "ffn"),
    (re.compile(r"^transformer\.ln_f\."), "final_norm"),
    (re.compile(r"^lm_head\."), "output_head"),
)
COMPONENT_ORDER = tuple(key for _, key in _COMPONENTS)


@dataclass(frozen=True)
class CountedTensor:
    """One parameter tensor of the loaded model."""

    name: str
    shape: tuple[int, ...]
    numel: int
    component: str


@dataclass(frozen=True)
class ParameterCount:
    """The loaded model's parameters, tensor by tensor; the tied output head is counted once."""

    tensors: tuple[CountedTensor, ...]
    tied_output_head: bool  # lm_head.weight is the very tensor transformer.wte.weight

    def by_component(self) -> dict[str, int]:
        """Parameters per component, in COMPONENT_ORDER (0 for a component with no tensors)."""
        totals = dict.fromkeys(COMPONENT_ORDER, 0)
        for tensor in self.tensors:
            totals[tensor.component] += tensor.numel
        return totals

    @property
    def total(self) -> int:
        """Every parameter once."""
        return sum(t.numel for t in self.tensors)


def count_parameters(model: GPT) -> ParameterCount:
    """Count the parameters of ``model`` from its weights, grouped by component.

    ``named_parameters()`` yields a shared tensor once, under its first name, so the tied output
    head adds nothing: the sum equals ``sum(p.numel() for p in model.parameters())``.
    """
    tensors = []
    for name, p in model.named_parameters():
        component = next((key for pattern, key in _COMPONENTS if pattern.match(name)), None)
        if component is None:
            raise ValueError(f"parameter {name!r} belongs to no known component")
        tensors.append(CountedTensor(name=name, shape=tuple(p.shape), numel=p.numel(), component=component))
    tied = model.lm_head.weight is model.transformer.wte.weight
    return ParameterCount(tensors=tuple(tensors), tied_output_head=tied)
