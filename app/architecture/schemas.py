"""JSON shapes of the architecture API, the calculator's form and the presets file.

The configuration's fields and bounds are declared once (ConfigFields); the API's request is strict
(a string is not a number), the page's form reads them from the query string.
"""

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from app.architecture.calculator import DecoderConfig

LLAMA_2_7B = {
    "n_layer": 32,
    "d_model": 4096,
    "n_head": 32,
    "n_kv_head": 32,
    "d_ff": 11008,
    "ffn_gated": True,
    "vocab_size": 32000,
    "context_length": 4096,
    "tied_embeddings": False,
    "positions": "rope",
    "bias": False,
    "norm": "rmsnorm",
}


class ConfigFields(BaseModel):
    """A decoder-only transformer's shape, every field bounded."""

    n_layer: int = Field(ge=1, le=512, description="Transformer blocks (N).", examples=[32])
    d_model: int = Field(ge=1, le=131_072, description="Width of the residual stream.", examples=[4096])
    n_head: int = Field(ge=1, le=1024, description="Query heads; must divide d_model.", examples=[32])
    n_kv_head: int | None = Field(
        None,
        ge=1,
        le=1024,
        description="Key/value heads; must divide n_head. Omitted or = n_head: multi-head attention; "
        "1: multi-query; in between: grouped-query.",
        examples=[8],
    )
    d_ff: int | None = Field(
        None,
        ge=1,
        le=1_048_576,
        description="FFN inner width (of each matrix when gated). Omitted: 4 × d_model.",
        examples=[11008],
    )
    ffn_gated: bool = Field(False, description="true: SwiGLU-style FFN, 3 matrices; false: 2 matrices.")
    vocab_size: int = Field(ge=1, le=4_194_304, description="Token ids.", examples=[32000])
    context_length: int = Field(ge=1, le=16_777_216, description="Tokens in a full context.", examples=[4096])
    tied_embeddings: bool = Field(True, description="The output head reuses the token embedding table.")
    positions: Literal["learned", "rope"] = Field(
        "learned", description="learned: a (context × d_model) table; rope: rotations, no parameters."
    )
    bias: bool = Field(True, description="Linear layers have biases (GPT-2/3: yes; Llama: no).")
    norm: Literal["layernorm", "rmsnorm"] = Field(
        "layernorm", description="layernorm: scale and shift (2 × d_model); rmsnorm: scale only."
    )

    def to_config(self) -> DecoderConfig:
        """The calculator's config (not yet checked for divisibility)."""
        return DecoderConfig(
            n_layer=self.n_layer,
            d_model=self.d_model,
            n_head=self.n_head,
            n_kv_head=self.n_head if self.n_kv_head is None else self.n_kv_head,
            d_ff=4 * self.d_model if self.d_ff is None else self.d_ff,
            ffn_gated=self.ffn_gated,
            vocab_size=self.vocab_size,
            context_length=self.context_length,
            tied_embeddings=self.tied_embeddings,
            positions=self.positions,
            bias=self.bias,
            norm=self.norm,
        )


class ParamsRequest(ConfigFields):
    """A configuration to count. Types are strict: `"n_layer": "32"` is a 422."""

    model_config = ConfigDict(extra="forbid", strict=True, json_schema_extra={"examples": [LLAMA_2_7B]})


class ComponentOut(BaseModel):
    """One component's parameters."""

    key: str = Field(examples=["attention"])
    label: str
    formula: str = Field(description="How the count is made, with the request's numbers.")
    per_layer: int | None = Field(description="In one block; null for components outside the blocks.")
    total: int


class KVCacheOut(BaseModel):
    """Keys and values kept for one sequence during generation."""

    numbers_per_token: int = Field(description="2 (K and V) × n_layer × n_kv_head × head_dim.")
    bytes_per_token: dict[str, int] = Field(description="At fp32, bf16 and int8.")
    bytes_full_context: dict[str, int] = Field(description="bytes_per_token × context_length.")
    mha_bytes_per_token_bf16: int = Field(description="The same model with n_kv_head = n_head, at bf16.")


class ParamsResponse(BaseModel):
    """Parameters per component and in all, and the KV-cache size."""

    attention: Literal["MHA", "GQA", "MQA"]
    head_dim: int
    components: list[ComponentOut]
    per_layer: int = Field(description="Parameters of one transformer block.")
    total: int
    kv_cache: KVCacheOut


class PromptRequest(BaseModel):
    """A prompt for the lab's model."""

    model_config = ConfigDict(
        extra="forbid",
        strict=True,
        json_schema_extra={"examples": [{"prompt": "The cat sat on the", "top": 3}]},
    )

    prompt: str = Field(
        description="Up to MAX_PROMPT_CHARS characters (longer: 413); cut from the left to the model's "
        "context; empty starts from <|endoftext|>."
    )
    top: int = Field(5, ge=1, le=20, description="How many of the most probable tokens to return.")


class TokenProb(BaseModel):
    """A token and its probability."""

    id: int
    text: str
    prob: float


class LensLayer(BaseModel):
    """What one layer's residual stream predicts at each position."""

    layer: int = Field(description="0: after the embedding; i: after block i.")
    name: str = Field(examples=["block 2"])
    positions: list[list[TokenProb]] = Field(description="[position][rank], most probable first.")


class LogitLensResponse(BaseModel):
    """Final LayerNorm and the tied output head applied to every layer's residual stream."""

    tokens: list[str]
    ids: list[int]
    truncated: int = Field(description="Prompt tokens dropped from the left to fit the context.")
    layers: list[LensLayer] = Field(description="n_layer + 1 entries; the last is the model's own output.")


class ForwardStep(BaseModel):
    """One tensor of the forward pass."""

    name: str = Field(examples=["attention output"])
    code: str = Field(description="The expression in app/lm/model.py.", examples=["attn(ln_1(x))"])
    block: int | None = Field(description="1-based block, or null outside the blocks.")
    shape: list[int] = Field(
        description="The tensor's real shape (batch of 1 first where the model has one)."
    )
    sample: list[float] = Field(description="A few real values: the first entries at the last position.")


class ForwardResponse(BaseModel):
    """The forward pass step by step, the residual stream's norms, and the next-token prediction."""

    tokens: list[str]
    ids: list[int]
    truncated: int
    steps: list[ForwardStep]
    residual_norms: list[list[float]] = Field(
        description="[layer][position] L2 norm of the stream after the embedding (0) and each block."
    )
    next_tokens: list[TokenProb]
