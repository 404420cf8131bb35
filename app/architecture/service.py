"""The lab's model opened up for a prompt: the forward pass step by step, the logit lens, parameter counts."""

from dataclasses import dataclass

import torch

from app.architecture.calculator import DecoderConfig, ParameterBreakdown, parameter_breakdown
from app.labmodel.service import token_label
from app.lm.checkpoint import LabModel
from app.lm.generate import fit_prompt
from app.lm.inspection import (
    ForwardTrace,
    ParameterCount,
    count_parameters,
    forward_trace,
    logit_lens,
    top_tokens,
)
from app.lm.model import GPT

# The page draws one row per token in the lens and one line per token in the chart: past 64 tokens
# neither stays readable (the API takes the model's whole context).
PAGE_MAX_TOKENS = 64
SAMPLE_VALUES = 4  # "a few real values": the first entries of a vector
EMBEDDING_ROWS = 8  # tokens whose embedding rows the walkthrough prints in full
# Probability bands of the lens colours, upper bounds (the last band ends at 1).
LENS_BANDS = (0.05, 0.1, 0.2, 0.3, 0.5, 0.7, 0.9)
# Steps whose rows are d_model-wide vectors of (or added to) the residual stream: their norms compare.
STREAM_VECTORS = {
    "token embedding",
    "position embedding",
    "residual stream x",
    "LayerNorm 1",
    "attention output",
    "residual stream + attention",
    "LayerNorm 2",
    "FFN output",
    "residual stream + FFN",
    "final LayerNorm",
}


@dataclass(frozen=True)
class PromptTrace:
    """What the model saw of a prompt, and its forward pass."""

    ids: list[int]
    tokens: list[str]
    truncated: int
    trace: ForwardTrace


def trace_prompt(*, lab: LabModel, prompt: str, max_tokens: int | None = None) -> PromptTrace:
    """Encode ``prompt``, cut it from the left to fit, and run the forward pass keeping every step."""
    limit = min(max_tokens or lab.config.context_length, lab.config.context_length)
    window, truncated = fit_prompt(lab.tokenizer.encode(prompt), limit, lab.tokenizer.bot_id)
    trace = forward_trace(lab.model, torch.tensor(window))
    return PromptTrace(
        ids=window, tokens=[token_label(lab, i) for i in window], truncated=truncated, trace=trace
    )


@dataclass(frozen=True)
class TokenProb:
    """A token and its probability."""

    id: int
    text: str
    prob: float


@dataclass(frozen=True)
class Step:
    """One tensor of the walkthrough."""

    name: str
    code: str  # the expression as app/lm/model.py writes it
    block: int | None  # 1-based
    shape: tuple[int, ...]  # the tensor's own .shape
    sample: list[float]  # its first values at the last position
    norm: float | None  # L2 norm at the last position, for vectors of width d_model


@dataclass(frozen=True)
class EmbeddingRow:
    """One token's lookup: its embedding row plus its position's row gives the stream's first value."""

    position: int
    token: str
    id: int
    token_values: list[float]
    position_values: list[float]
    sum_values: list[float]


@dataclass(frozen=True)
class Walkthrough:
    """The forward pass of a prompt as the page and the API print it."""

    ids: list[int]
    tokens: list[str]
    truncated: int
    steps: list[Step]
    embedding_rows: list[EmbeddingRow]
    residual_norms: list[list[float]]  # [layer][position], layer 0 = after the embedding
    sublayer_labels: list[str]  # "embedding", "+attn 1", "+FFN 1", ...
    sublayer_norms: list[list[float]]  # [step][position], after every addition to the stream
    next_tokens: list[TokenProb]

    def block_steps(self, block: int) -> list[Step]:
        """The steps inside one block (1-based)."""
        return [s for s in self.steps if s.block == block]

    @property
    def before_blocks(self) -> list[Step]:
        """Token ids and embeddings."""
        index = next(i for i, s in enumerate(self.steps) if s.block is not None)
        return self.steps[:index]

    @property
    def after_blocks(self) -> list[Step]:
        """Final LayerNorm, logits and probabilities."""
        last = max(i for i, s in enumerate(self.steps) if s.block is not None)
        return self.steps[last + 1 :]

    @property
    def n_blocks(self) -> int:
        """How many blocks the model has."""
        return max(s.block or 0 for s in self.steps)


def _values(t: torch.Tensor) -> list[float]:
    return [round(float(v), 4) for v in t[:SAMPLE_VALUES]]


def _step(
    name: str, code: str, tensor: torch.Tensor, vector: torch.Tensor | None, block: int | None = None
) -> Step:
    """A step from a real tensor: its shape, and a few values and the norm of ``vector``, one row of it."""
    stream_width = vector is not None and name in STREAM_VECTORS
    return Step(
        name=name,
        code=code,
        block=block,
        shape=tuple(tensor.shape),
        sample=[] if vector is None else _values(vector),
        norm=round(float(vector.norm()), 4) if vector is not None and stream_width else None,
    )


def _top(lab: LabModel, probs: torch.Tensor, k: int) -> list[TokenProb]:
    values, ids = torch.topk(probs, k=min(k, probs.numel()))
    return [
        TokenProb(id=int(i), text=token_label(lab, int(i)), prob=float(p))
        for p, i in zip(values.tolist(), ids.tolist(), strict=True)
    ]


def walkthrough(*, lab: LabModel, traced: PromptTrace, top: int = 5) -> Walkthrough:
    """Every step of the forward pass with its real shape, a few real values and the stream's norms."""
    tr = traced.trace
    steps = [
        _step("token ids", "idx", tr.idx, None),
        _step("token embedding", "wte(idx)", tr.tok_emb, tr.tok_emb[0, -1]),
        _step("position embedding", "wpe(pos)", tr.pos_emb, tr.pos_emb[-1]),
        _step("residual stream x", "tok_emb + pos_emb", tr.embedded, tr.embedded[0, -1]),
    ]
    for i, b in enumerate(tr.blocks, start=1):
        steps += [
            _step("LayerNorm 1", "ln_1(x)", b.attn_in, b.attn_in[0, -1], i),
            _step(
                "queries per head (keys, values alike)", "q, k, v = c_attn(ln_1(x))", b.q, b.q[0, 0, -1], i
            ),
            _step("attention scores per head", "q @ k.T", b.scores, b.scores[0, 0, -1], i),
            _step("attention output", "attn(ln_1(x))", b.attn_out, b.attn_out[0, -1], i),
            _step("residual stream + attention", "x + attn(ln_1(x))", b.after_attn, b.after_attn[0, -1], i),
            _step("LayerNorm 2", "ln_2(x)", b.ffn_in, b.ffn_in[0, -1], i),
            _step("FFN hidden layer", "gelu(c_fc(ln_2(x)))", b.ffn_hidden, b.ffn_hidden[0, -1], i),
            _step("FFN output", "mlp(ln_2(x))", b.ffn_out, b.ffn_out[0, -1], i),
            _step("residual stream + FFN", "x + mlp(ln_2(x))", b.after_ffn, b.after_ffn[0, -1], i),
        ]
    probs = tr.next_token_probs()  # (vocab,)
    steps += [
        _step("final LayerNorm", "ln_f(x)", tr.final_norm, tr.final_norm[0, -1]),
        _step("logits", "lm_head(ln_f(x))", tr.logits, tr.logits[0, -1]),
        _step("next-token probabilities", "softmax(logits[-1])", probs, None),
    ]
    rows = [
        EmbeddingRow(
            position=t,
            token=traced.tokens[t],
            id=traced.ids[t],
            token_values=_values(tr.tok_emb[0, t]),
            position_values=_values(tr.pos_emb[t]),
            sum_values=_values(tr.embedded[0, t]),
        )
        for t in range(min(EMBEDDING_ROWS, len(traced.ids)))
    ]
    labels = ["embedding"]
    for i in range(1, len(tr.blocks) + 1):
        labels += [f"+attn {i}", f"+FFN {i}"]
    return Walkthrough(
        ids=traced.ids,
        tokens=traced.tokens,
        truncated=traced.truncated,
        steps=steps,
        embedding_rows=rows,
        residual_norms=_rounded(tr.residual_norms()),
        sublayer_labels=labels,
        sublayer_norms=_rounded(tr.sublayer_norms()),
        next_tokens=_top(lab, probs, top),
    )


def _rounded(t: torch.Tensor) -> list[list[float]]:
    return [[round(v, 4) for v in row] for row in t.tolist()]


@dataclass(frozen=True)
class LensCell:
    """What one layer predicts at one position."""

    top: list[TokenProb]  # most probable first
    band: int  # 0..len(LENS_BANDS): the colour band of the top probability
    is_next: bool  # the top token is the one the prompt really has next


@dataclass(frozen=True)
class LensView:
    """The logit lens of a prompt: [layer][position] cells."""

    ids: list[int]
    tokens: list[str]
    truncated: int
    layer_names: list[str]
    cells: list[list[LensCell]]  # [layer][position]

    def by_position(self) -> list[list[LensCell]]:
        """The same cells as [position][layer], the page's row order."""
        return [list(column) for column in zip(*self.cells, strict=True)]


def band(prob: float) -> int:
    """The colour band of a probability.

    Example: ``band(0.01) -> 0``; ``band(0.25) -> 3``; ``band(0.95) -> 7``
    """
    return next((i for i, bound in enumerate(LENS_BANDS) if prob < bound), len(LENS_BANDS))


def lens_view(*, lab: LabModel, traced: PromptTrace, top: int = 3) -> LensView:
    """What every layer's residual stream predicts at every position, through ln_f and the output head."""
    probs = logit_lens(lab.model, traced.trace.residual_streams())  # (L + 1, T, vocab)
    best = top_tokens(probs, top)
    ids, values = best.ids.tolist(), best.probs.tolist()
    labels: dict[int, str] = {}

    def label(i: int) -> str:
        if i not in labels:
            labels[i] = token_label(lab, i)
        return labels[i]

    cells = []
    for layer in range(len(ids)):
        row = []
        for t in range(len(traced.ids)):
            ranked = [
                TokenProb(id=i, text=label(i), prob=p)
                for i, p in zip(ids[layer][t], values[layer][t], strict=True)
            ]
            following = traced.ids[t + 1] if t + 1 < len(traced.ids) else None
            row.append(LensCell(top=ranked, band=band(ranked[0].prob), is_next=ranked[0].id == following))
        cells.append(row)
    n_layer = lab.config.n_layer
    names = ["embedding"] + [f"block {i}" for i in range(1, n_layer + 1)]
    return LensView(
        ids=traced.ids, tokens=traced.tokens, truncated=traced.truncated, layer_names=names, cells=cells
    )


def lab_decoder_config(model: GPT) -> DecoderConfig:
    """The lab model's shape in the calculator's terms (GPT-2 style: biases, LayerNorm, a GELU FFN)."""
    c = model.config
    block = model.transformer.h[0]
    return DecoderConfig(
        n_layer=c.n_layer,
        d_model=c.n_embd,
        n_head=c.n_head,
        n_kv_head=c.n_head,
        d_ff=block.mlp.c_fc.out_features,
        ffn_gated=False,
        vocab_size=c.vocab_size,
        context_length=c.context_length,
        tied_embeddings=model.lm_head.weight is model.transformer.wte.weight,
        positions="learned",
        bias=block.attn.c_attn.bias is not None,
        norm="layernorm",
    )


@dataclass(frozen=True)
class LabParameters:
    """The loaded model's parameters by component, beside the calculator's formulas and the card."""

    counted: ParameterCount
    numel_total: int  # sum(p.numel() for p in model.parameters())
    card_total: int | None  # card.json's "parameters", when the card has one
    formula: ParameterBreakdown  # the calculator on the same shape
    n_layer: int

    def rows(self) -> list[tuple[str, str, list[tuple[str, tuple[int, ...]]], int, int]]:
        """(key, label, tensors of one block or the component, counted, from the formula) per component."""
        by_key = self.counted.by_component()
        out = []
        for component in self.formula.components:
            names = [
                (t.name, t.shape)
                for t in self.counted.tensors
                if t.component == component.key
                and (component.per_layer is None or t.name.startswith("transformer.h.0."))
            ]
            out.append((component.key, component.label, names, by_key[component.key], component.total))
        return out


def lab_parameters(lab: LabModel) -> LabParameters:
    """Count the lab model's parameters from its loaded weights, and set the formulas beside them."""
    card_total = lab.card.get("parameters")
    return LabParameters(
        counted=count_parameters(lab.model),
        numel_total=sum(p.numel() for p in lab.model.parameters()),
        card_total=card_total if isinstance(card_total, int) else None,
        formula=parameter_breakdown(lab_decoder_config(lab.model)),
        n_layer=lab.config.n_layer,
    )
