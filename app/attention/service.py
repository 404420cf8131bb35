"""Attention of the lab's model: every layer's and head's weights for a text, and one head step by step."""

from dataclasses import dataclass

import torch

from app.labmodel.service import token_label
from app.lm.checkpoint import LabModel
from app.lm.generate import fit_prompt

# The page draws one cell per (query, key): past this many tokens a heatmap stops being readable.
PAGE_MAX_TOKENS = 64
# "Inside one head" prints every number of Q, K, V and the score matrices: short inputs only.
STEPS_MAX_TOKENS = 8


@dataclass(frozen=True)
class AttentionMaps:
    """Attention weights (layers, heads, T, T) for the tokens the model saw."""

    ids: list[int]
    tokens: list[str]
    weights: torch.Tensor  # float32 (n_layer, n_head, T, T); rows sum to 1, zero above the diagonal
    truncated: int

    @property
    def layers(self) -> int:
        """Number of layers."""
        return int(self.weights.shape[0])

    @property
    def heads(self) -> int:
        """Heads per layer."""
        return int(self.weights.shape[1])

    def head(self, layer: int, head: int | None) -> torch.Tensor:
        """One head's (T, T) map, or the mean over the layer's heads when `head` is None."""
        if not 0 <= layer < self.layers:
            raise ValueError(f"layer must be between 0 and {self.layers - 1}, got {layer}")
        if head is None:
            return self.weights[layer].mean(dim=0)
        if not 0 <= head < self.heads:
            raise ValueError(f"head must be between 0 and {self.heads - 1}, got {head}")
        return self.weights[layer, head]


def _window(lab: LabModel, text: str, max_tokens: int) -> tuple[list[int], int]:
    ids = lab.tokenizer.encode(text)
    return fit_prompt(ids, min(max_tokens, lab.config.context_length), lab.tokenizer.bot_id)


def attention_maps(*, lab: LabModel, text: str, max_tokens: int | None = None) -> AttentionMaps:
    """Run the model once on `text` (cut from the left to fit) and keep every attention map."""
    window, truncated = _window(lab, text, max_tokens or lab.config.context_length)
    _, weights = lab.model.forward_with_attention(torch.tensor(window))
    return AttentionMaps(
        ids=window,
        tokens=[token_label(lab, i) for i in window],
        weights=weights.float(),
        truncated=truncated,
    )


@dataclass(frozen=True)
class HeadSteps:
    """The six steps of scaled dot-product attention in one head, with that head's real numbers."""

    tokens: list[str]
    layer: int
    head: int
    d_k: int
    q: list[list[float]]
    k: list[list[float]]
    v: list[list[float]]
    scores: list[list[float]]
    scaled: list[list[float]]
    masked: list[list[float | None]]  # None where the causal mask put -inf
    weights: list[list[float]]
    output: list[list[float]]
    truncated: int
    check_dot: float  # q[last] . k[0] summed in Python, to set beside the model's own score


def head_steps(*, lab: LabModel, text: str, layer: int, head: int) -> HeadSteps:
    """Every intermediate of one head for a short text (at most STEPS_MAX_TOKENS tokens)."""
    window, truncated = _window(lab, text, STEPS_MAX_TOKENS)
    parts = lab.model.head_internals(torch.tensor(window), layer, head)

    def rows(name: str) -> list[list[float]]:
        return parts[name].float().tolist()

    masked = [[None if value == float("-inf") else value for value in row] for row in rows("masked")]
    return HeadSteps(
        tokens=[token_label(lab, i) for i in window],
        layer=layer,
        head=head,
        d_k=int(parts["d_k"]),
        q=rows("q"),
        k=rows("k"),
        v=rows("v"),
        scores=rows("scores"),
        scaled=rows("scaled"),
        masked=masked,
        weights=rows("weights"),
        output=rows("output"),
        truncated=truncated,
        check_dot=sum(a * b for a, b in zip(rows("q")[-1], rows("k")[0], strict=True)),
    )
