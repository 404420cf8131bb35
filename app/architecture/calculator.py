"""Parameters and KV-cache memory of any decoder-only transformer, from its configuration alone.

Plain arithmetic, one formula per component, so each line on the page can show its own. It covers
the GPT-2/3 family (learned positions, LayerNorm, biases, a 2-matrix GELU FFN, tied embeddings) and
the Llama family (RoPE, RMSNorm, no biases, a 3-matrix SwiGLU FFN, untied, grouped-query attention).
For the lab's own model the counts equal the loaded weights' (tested against ``sum(p.numel())``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Positions = Literal["learned", "rope"]
Norm = Literal["layernorm", "rmsnorm"]

# Bytes per stored number of the KV cache at each precision the page compares.
KV_DTYPES: dict[str, int] = {"fp32": 4, "bf16": 2, "int8": 1}


class ConfigError(ValueError):
    """A configuration that cannot describe a model: the message says which numbers disagree."""


@dataclass(frozen=True)
class DecoderConfig:
    """The shape of a decoder-only transformer."""

    n_layer: int
    d_model: int
    n_head: int
    n_kv_head: int  # = n_head: multi-head; 1: multi-query; in between: grouped-query attention
    d_ff: int  # FFN inner width (per matrix, for a gated FFN)
    ffn_gated: bool  # SwiGLU/GeGLU: W_gate and W_up (d_model x d_ff) and W_down (d_ff x d_model)
    vocab_size: int
    context_length: int
    tied_embeddings: bool  # the output projection is the token embedding table
    positions: Positions  # learned absolute embeddings (a table) or RoPE (no parameters)
    bias: bool  # linear layers carry biases (GPT-2/3 do, Llama does not)
    norm: Norm  # LayerNorm (scale and shift: 2 d_model) or RMSNorm (scale only: d_model)

    def check(self) -> DecoderConfig:
        """Return self, or raise ConfigError when the heads do not divide the width evenly."""
        if self.d_model % self.n_head:
            raise ConfigError(
                f"d_model ({self.d_model:,}) does not divide by heads ({self.n_head}): every head must "
                f"get the same width d_model / heads; try a head count that divides {self.d_model:,}."
            )
        if self.n_kv_head > self.n_head:
            raise ConfigError(
                f"KV heads ({self.n_kv_head}) cannot outnumber query heads ({self.n_head}): each KV "
                "head is shared by one or more query heads."
            )
        if self.n_head % self.n_kv_head:
            raise ConfigError(
                f"heads ({self.n_head}) do not divide by KV heads ({self.n_kv_head}): in grouped-query "
                "attention every KV head serves the same number of query heads."
            )
        return self

    @property
    def head_dim(self) -> int:
        """d_k: the width of one head."""
        return self.d_model // self.n_head

    @property
    def attention_kind(self) -> str:
        """MHA, GQA or MQA, from the ratio of query heads to KV heads."""
        if self.n_kv_head == self.n_head:
            return "MHA"
        return "MQA" if self.n_kv_head == 1 else "GQA"


@dataclass(frozen=True)
class Component:
    """One line of the parameter table."""

    key: str  # token_embedding, position_embedding, attention, ffn, norms, final_norm, output_head
    label: str
    formula: str  # how the count is made, with this config's numbers
    per_layer: int | None  # parameters in one block, for the per-block components
    total: int


@dataclass(frozen=True)
class ParameterBreakdown:
    """Parameters per component and in all."""

    config: DecoderConfig
    components: tuple[Component, ...]

    @property
    def total(self) -> int:
        """Every parameter (a tied output head adds none)."""
        return sum(c.total for c in self.components)

    @property
    def per_layer(self) -> int:
        """Parameters of one transformer block."""
        return sum(c.per_layer or 0 for c in self.components)

    def by_key(self) -> dict[str, int]:
        """Totals keyed like app.lm.inspection's components."""
        return {c.key: c.total for c in self.components}


def _n(value: int) -> str:
    return f"{value:,}"


def _norm_size(config: DecoderConfig) -> tuple[int, str]:
    if config.norm == "layernorm":
        return 2 * config.d_model, f"2 × {_n(config.d_model)} (scale and shift)"
    return config.d_model, f"{_n(config.d_model)} (scale only)"


def parameter_breakdown(config: DecoderConfig) -> ParameterBreakdown:
    """Every component's parameters for ``config`` (checked first: ConfigError if it does not divide)."""
    c = config.check()
    d, L, hd = c.d_model, c.n_layer, c.head_dim
    q_width, kv_width = c.n_head * hd, c.n_kv_head * hd  # q_width == d; kv_width < d under GQA/MQA

    attention = d * q_width + 2 * d * kv_width + q_width * d  # W_Q, W_K, W_V, W_O
    attention_formula = (
        f"W_Q {_n(d)}×{_n(q_width)} + W_K, W_V 2 × {_n(d)}×{_n(kv_width)} + W_O {_n(q_width)}×{_n(d)}"
    )
    if c.bias:
        attention += q_width + 2 * kv_width + d
        attention_formula += " + biases"

    matrices = 3 if c.ffn_gated else 2
    ffn = matrices * d * c.d_ff
    ffn_formula = (
        f"W_gate, W_up 2 × {_n(d)}×{_n(c.d_ff)} + W_down {_n(c.d_ff)}×{_n(d)}"
        if c.ffn_gated
        else f"W1 {_n(d)}×{_n(c.d_ff)} + W2 {_n(c.d_ff)}×{_n(d)}"
    )
    if c.bias:
        ffn += (matrices - 1) * c.d_ff + d
        ffn_formula += " + biases"

    norm, norm_formula = _norm_size(c)
    embedding = c.vocab_size * d
    positions = c.context_length * d if c.positions == "learned" else 0
    output_formula = (
        "tied: the token embedding table, read the other way; no new parameters"
        if c.tied_embeddings
        else f"d_model × vocab = {_n(d)} × {_n(c.vocab_size)}"
    )
    position_formula = (
        f"context × d_model = {_n(c.context_length)} × {_n(d)}"
        if c.positions == "learned"
        else "RoPE rotates q and k by position: no parameters"
    )
    components = (
        Component(
            key="token_embedding",
            label="Token embedding",
            formula=f"vocab × d_model = {_n(c.vocab_size)} × {_n(d)}",
            per_layer=None,
            total=embedding,
        ),
        Component(
            key="position_embedding",
            label="Position embedding",
            formula=position_formula,
            per_layer=None,
            total=positions,
        ),
        Component(
            key="attention",
            label="Attention",
            formula=attention_formula,
            per_layer=attention,
            total=L * attention,
        ),
        Component(key="ffn", label="Feed-forward network", formula=ffn_formula, per_layer=ffn, total=L * ffn),
        Component(
            key="norms",
            label="Norms (2 per block)",
            formula=f"2 × {norm_formula}",
            per_layer=2 * norm,
            total=L * 2 * norm,
        ),
        Component(key="final_norm", label="Final norm", formula=norm_formula, per_layer=None, total=norm),
        Component(
            key="output_head",
            label="Output head",
            formula=output_formula,
            per_layer=None,
            total=0 if c.tied_embeddings else embedding,
        ),
    )
    return ParameterBreakdown(config=c, components=components)


@dataclass(frozen=True)
class KVCacheSize:
    """Memory of the keys and values a generation keeps, for one sequence."""

    numbers_per_token: int  # 2 (K and V) × layers × KV heads × head_dim
    context_length: int
    mha_numbers_per_token: int  # the same model with one KV head per query head, for comparison

    def bytes_per_token(self, dtype: str) -> int:
        """Bytes per token at fp32, bf16 or int8."""
        return self.numbers_per_token * KV_DTYPES[dtype]

    def bytes_full_context(self, dtype: str) -> int:
        """Bytes for a full context window at fp32, bf16 or int8."""
        return self.bytes_per_token(dtype) * self.context_length


def kv_cache_size(config: DecoderConfig) -> KVCacheSize:
    """KV-cache size of ``config`` (checked first)."""
    c = config.check()
    return KVCacheSize(
        numbers_per_token=2 * c.n_layer * c.n_kv_head * c.head_dim,
        context_length=c.context_length,
        mha_numbers_per_token=2 * c.n_layer * c.n_head * c.head_dim,
    )


def human_bytes(n: int) -> str:
    """Binary units for memory sizes.

    Example: ``human_bytes(524_288) -> '512 KiB'``; ``human_bytes(1_073_741_824) -> '1 GiB'``
    """
    value = float(n)
    for unit in ("B", "KiB", "MiB", "GiB", "TiB"):
        if value < 1024 or unit == "TiB":
            return f"{value:,.0f} {unit}" if value == int(value) else f"{value:,.2f} {unit}"
        value /= 1024
    raise AssertionError("unreachable")


def human_count(n: int) -> str:
    """Parameter counts the way papers name models.

    Example: ``human_count(124_439_808) -> '124.4M'``; ``human_count(6_738_415_616) -> '6.74B'``
    """
    if n >= 10**9:
        return f"{n / 10**9:.2f}B" if n < 10**11 else f"{n / 10**9:.1f}B"
    if n >= 10**6:
        return f"{n / 10**6:.1f}M"
    if n >= 10**3:
        return f"{n / 10**3:.1f}K"
    return str(n)
