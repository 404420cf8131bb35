"""A small decoder-only transformer, drawn like the module's "Transformer Architecture" diagram.

token embedding + learned position embedding -> N pre-norm blocks
(LayerNorm -> causal multi-head self-attention -> residual; LayerNorm -> FFN -> residual)
-> final LayerNorm -> output projection (tied to the token embedding) -> logits.

References: Vaswani et al. 2017 ("Attention Is All You Need"); Radford et al. 2019 (GPT-2,
pre-norm); karpathy/nanoGPT ``model.py`` for the layout of this file.

Learned absolute positions, not RoPE: the diagram adds a position vector to the token vector, and
so does this model, which keeps q, k and v plain linear maps of the block input that a learner can
check by hand. RoPE's strength, working past the trained length, buys nothing here: prompts are
cut to the context window.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

import torch
import torch.nn as nn
from torch.nn import functional as F


@dataclass(frozen=True)
class GPTConfig:
    """Shape of the model; stored in card.json next to the weights."""

    vocab_size: int = 4096
    context_length: int = 256
    n_layer: int = 4
    n_head: int = 6
    n_embd: int = 192
    dropout: float = 0.0

    def __post_init__(self) -> None:
        if self.n_embd % self.n_head:
            raise ValueError(f"n_embd ({self.n_embd}) must divide by n_head ({self.n_head})")

    @property
    def head_size(self) -> int:
        """d_k: the width of one head."""
        return self.n_embd // self.n_head

    def to_dict(self) -> dict:
        """Plain dict for JSON."""
        return asdict(self)


class KVCache:
    """Keys and values of the tokens seen so far, per layer, so generation feeds one new token."""

    def __init__(self, n_layer: int) -> None:
        self.keys: list[torch.Tensor | None] = [None] * n_layer
        self.values: list[torch.Tensor | None] = [None] * n_layer

    @property
    def length(self) -> int:
        """How many positions are cached."""
        k = self.keys[0]
        return 0 if k is None else k.size(2)


class CausalSelfAttention(nn.Module):
    """Multi-head self-attention where position t only sees positions <= t."""

    def __init__(self, config: GPTConfig) -> None:
        super().__init__()
        self.n_head = config.n_head
        self.n_embd = config.n_embd
        self.c_attn = nn.Linear(config.n_embd, 3 * config.n_embd)  # q, k, v for all heads at once
        self.c_proj = nn.Linear(config.n_embd, config.n_embd)  # W_O
        self.dropout = config.dropout
        self.resid_dropout = nn.Dropout(config.dropout)

    def qkv(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """Project to per-head queries, keys and values, each (B, nh, T, hs)."""
        B, T, C = x.size()
        q, k, v = self.c_attn(x).split(self.n_embd, dim=2)  # 3 x (B, T, C)
        hs = C // self.n_head
        q = q.view(B, T, self.n_head, hs).transpose(1, 2)  # (B, nh, T, hs)
        k = k.view(B, T, self.n_head, hs).transpose(1, 2)  # (B, nh, T, hs)
        v = v.view(B, T, self.n_head, hs).transpose(1, 2)  # (B, nh, T, hs)
        return q, k, v

    def forward(
        self,
        x: torch.Tensor,
        *,
        return_weights: bool = False,
        cache: KVCache | None = None,
        layer: int = 0,
    ) -> tuple[torch.Tensor, torch.Tensor | None]:
        """Attend causally; optionally return the (B, nh, T, T) weights or extend a KV cache."""
        B, T, C = x.size()
        q, k, v = self.qkv(x)
        past = 0
        if cache is not None:
            if cache.keys[layer] is not None:
                past = cache.keys[layer].size(2)
                k = torch.cat([cache.keys[layer], k], dim=2)  # (B, nh, past + T, hs)
                v = torch.cat([cache.values[layer], v], dim=2)  # (B, nh, past + T, hs)
            cache.keys[layer], cache.values[layer] = k, v
        weights = None
        if return_weights:
            # The explicit formula, so the widgets see the very weights that produce the output.
            scores = (q @ k.transpose(-2, -1)) / math.sqrt(k.size(-1))  # (B, nh, T, T)
            scores = scores.masked_fill(causal_mask(T, x.device), float("-inf"))
            weights = F.softmax(scores, dim=-1)  # (B, nh, T, T)
            y = weights @ v  # (B, nh, T, hs)
        elif past == 0:
            y = F.scaled_dot_product_attention(
                q, k, v, dropout_p=self.dropout if self.training else 0.0, is_causal=True
            )  # (B, nh, T, hs)
        else:
            # New queries sit at positions past..past+T-1 and may see every cached key.
            allowed = ~causal_mask(past + T, x.device)[past:]  # (T, past + T)
            y = F.scaled_dot_product_attention(q, k, v, attn_mask=allowed)  # (B, nh, T, hs)
        y = y.transpose(1, 2).contiguous().view(B, T, C)  # (B, T, C): heads side by side again
        return self.resid_dropout(self.c_proj(y)), weights


def causal_mask(T: int, device: torch.device | str = "cpu") -> torch.Tensor:
    """Boolean (T, T) mask, True above the diagonal: the future positions to hide.

    Example: ``causal_mask(3) -> [[F, T, T], [F, F, T], [F, F, F]]``
    """
    return torch.ones(T, T, dtype=torch.bool, device=device).triu(diagonal=1)


class MLP(nn.Module):
    """The feed-forward network: d_model -> 4 d_model -> GELU -> d_model, per position."""

    def __init__(self, config: GPTConfig) -> None:
        super().__init__()
        self.c_fc = nn.Linear(config.n_embd, 4 * config.n_embd)
        self.gelu = nn.GELU()
        self.c_proj = nn.Linear(4 * config.n_embd, config.n_embd)
        self.dropout = nn.Dropout(config.dropout)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """FFN(x) = W2 gelu(W1 x + b1) + b2."""
        return self.dropout(self.c_proj(self.gelu(self.c_fc(x))))


class Block(nn.Module):
    """Pre-norm transformer block: x + attn(ln(x)), then x + mlp(ln(x))."""

    def __init__(self, config: GPTConfig) -> None:
        super().__init__()
        self.ln_1 = nn.LayerNorm(config.n_embd)
        self.attn = CausalSelfAttention(config)
        self.ln_2 = nn.LayerNorm(config.n_embd)
        self.mlp = MLP(config)

    def forward(
        self,
        x: torch.Tensor,
        *,
        return_weights: bool = False,
        cache: KVCache | None = None,
        layer: int = 0,
    ) -> tuple[torch.Tensor, torch.Tensor | None]:
        """One block; also returns the attention weights when asked."""
        a, weights = self.attn(self.ln_1(x), return_weights=return_weights, cache=cache, layer=layer)
        x = x + a
        x = x + self.mlp(self.ln_2(x))
        return x, weights


class GPT(nn.Module):
    """Decoder-only transformer language model."""

    def __init__(self, config: GPTConfig) -> None:
        super().__init__()
        self.config = config
        self.transformer = nn.ModuleDict(
            dict(
                wte=nn.Embedding(config.vocab_size, config.n_embd),
                wpe=nn.Embedding(config.context_length, config.n_embd),
                drop=nn.Dropout(config.dropout),
                h=nn.ModuleList([Block(config) for _ in range(config.n_layer)]),
                ln_f=nn.LayerNorm(config.n_embd),
            )
        )
        self.lm_head = nn.Linear(config.n_embd, config.vocab_size, bias=False)
        # Weight tying (Press & Wolf 2017): reading a token and writing it share one table, which
        # saves vocab x d_model parameters, a quarter of this model.
        self.lm_head.weight = self.transformer.wte.weight
        self.apply(self._init_weights)
        for name, p in self.named_parameters():
            if name.endswith("c_proj.weight"):
                # GPT-2: shrink the residual-branch outputs so the sum over 2 * n_layer branches
                # starts at the scale of one.
                nn.init.normal_(p, mean=0.0, std=0.02 / math.sqrt(2 * config.n_layer))

    @staticmethod
    def _init_weights(module: nn.Module) -> None:
        if isinstance(module, nn.Linear):
            nn.init.normal_(module.weight, mean=0.0, std=0.02)
            if module.bias is not None:
                nn.init.zeros_(module.bias)
        elif isinstance(module, nn.Embedding):
            nn.init.normal_(module.weight, mean=0.0, std=0.02)

    def num_params(self) -> int:
        """Parameter count, the tied embedding counted once."""
        return sum(p.numel() for p in self.parameters())

    def _embed(self, idx: torch.Tensor, start: int = 0) -> torch.Tensor:
        B, T = idx.size()
        if start + T > self.config.context_length:
            raise ValueError(
                f"sequence of {start + T} tokens exceeds the context length {self.config.context_length}"
            )
        pos = torch.arange(start, start + T, dtype=torch.long, device=idx.device)  # (T,)
        tok_emb = self.transformer.wte(idx)  # (B, T, C)
        pos_emb = self.transformer.wpe(pos)  # (T, C)
        return self.transformer.drop(tok_emb + pos_emb)  # (B, T, C)

    def forward(
        self, idx: torch.Tensor, targets: torch.Tensor | None = None
    ) -> tuple[torch.Tensor, torch.Tensor | None]:
        """Logits (B, T, vocab) for token ids (B, T); mean cross-entropy if targets are given."""
        x = self._embed(idx)
        for block in self.transformer.h:
            x, _ = block(x)
        logits = self.lm_head(self.transformer.ln_f(x))  # (B, T, vocab)
        loss = None
        if targets is not None:
            loss = F.cross_entropy(
                logits.view(-1, logits.size(-1)).float(), targets.reshape(-1), ignore_index=-1
            )
        return logits, loss

    @torch.inference_mode()
    def forward_cached(self, idx: torch.Tensor, cache: KVCache) -> torch.Tensor:
        """Logits (B, vocab) of the last position, feeding only the new tokens ``idx`` (B, T)."""
        x = self._embed(idx, start=cache.length)
        for layer, block in enumerate(self.transformer.h):
            x, _ = block(x, cache=cache, layer=layer)
        return self.lm_head(self.transformer.ln_f(x[:, -1, :]))  # (B, vocab)

    def forward_with_attention(self, idx: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Logits (T, vocab) and attention weights (layers, heads, T, T) for one sequence."""
        idx = _one_sequence(idx)
        with torch.inference_mode():
            x = self._embed(idx)
            maps = []
            for block in self.transformer.h:
                x, weights = block(x, return_weights=True)
                maps.append(weights[0])  # (nh, T, T)
            logits = self.lm_head(self.transformer.ln_f(x))  # (1, T, vocab)
            attention = torch.stack(maps)  # (n_layer, nh, T, T)
        # Cloned outside inference mode so callers may use them in any later computation.
        return logits[0].clone(), attention.clone()

    def head_internals(self, idx: torch.Tensor, layer: int, head: int) -> dict[str, torch.Tensor]:
        """Every intermediate of one head on one sequence, for checking the arithmetic by hand.

        Keys: ``x`` (T, C) the normalised block input; ``q``, ``k``, ``v`` (T, d_k);
        ``scores`` = q k^T; ``scaled`` = scores / sqrt(d_k); ``masked`` (-inf above the diagonal);
        ``weights`` = softmax(masked) by row; ``output`` = weights v (T, d_k); ``d_k`` (scalar).
        """
        if not 0 <= layer < self.config.n_layer:
            raise ValueError(f"layer must be in [0, {self.config.n_layer}), got {layer}")
        if not 0 <= head < self.config.n_head:
            raise ValueError(f"head must be in [0, {self.config.n_head}), got {head}")
        idx = _one_sequence(idx)
        with torch.inference_mode():
            x = self._embed(idx)
            for block in self.transformer.h[:layer]:
                x, _ = block(x)
            block = self.transformer.h[layer]
            normed = block.ln_1(x)  # (1, T, C)
            q, k, v = (t[0, head] for t in block.attn.qkv(normed))  # 3 x (T, hs)
            d_k = q.size(-1)
            scores = q @ k.T  # (T, T)
            scaled = scores / math.sqrt(d_k)
            masked = scaled.masked_fill(causal_mask(scaled.size(0), scaled.device), float("-inf"))
            weights = F.softmax(masked, dim=-1)  # (T, T)
            parts = {
                "x": normed[0],
                "q": q,
                "k": k,
                "v": v,
                "scores": scores,
                "scaled": scaled,
                "masked": masked,
                "weights": weights,
                "output": weights @ v,  # (T, hs)
                "d_k": torch.tensor(d_k),
            }
        return {name: t.clone() for name, t in parts.items()}


def _one_sequence(idx: torch.Tensor) -> torch.Tensor:
    """Accept (T,) or (1, T) token ids and return (1, T)."""
    if idx.dim() == 1:
        idx = idx.unsqueeze(0)
    if idx.dim() != 2 or idx.size(0) != 1:
        raise ValueError(f"expected one sequence of shape (T,) or (1, T), got {tuple(idx.shape)}")
    return idx
