"""JSON shapes of the next-token, generation and sampling-transform APIs.

Ranges of the sampling parameters are checked once, by app.lm.sampling.SamplingParams.validate();
these models only fix the types (strict: a string is not a number) and forbid unknown fields.
"""

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, FiniteFloat, model_validator


class SamplingFields(BaseModel):
    """The sampling parameters every endpoint takes."""

    model_config = ConfigDict(extra="forbid", strict=True)

    temperature: FiniteFloat = Field(1.0, description="0 (greedy) to 2.")
    top_k: int = Field(0, description="Keep the k most probable tokens; 0 = off.")
    top_p: FiniteFloat = Field(
        1.0, description="Nucleus: keep the smallest set reaching p; in (0, 1], 1 = off."
    )
    frequency_penalty: FiniteFloat = Field(0.0, description="-2 to 2, times each token's count so far.")
    presence_penalty: FiniteFloat = Field(0.0, description="-2 to 2, once for each token seen so far.")


class NextTokenRequest(SamplingFields):
    """A prompt for the lab's model and how to transform its next-token distribution."""

    prompt: str
    top: int = Field(20, ge=1, le=100, description="How many of the most probable tokens to return.")


class NextToken(BaseModel):
    """One candidate next token."""

    id: int
    text: str
    prob_before: float = Field(description="The model's probability before any sampling stage.")
    prob: float = Field(description="After penalties, temperature, top-k and top-p (0 where removed).")


class NextTokenResponse(BaseModel):
    """The `top` most probable tokens before the transforms, and the final entropy."""

    tokens: list[NextToken]
    entropy_bits: float
    nucleus_size: int
    truncated: int


class GenerateRequest(SamplingFields):
    """A generation request."""

    prompt: str
    max_tokens: int = Field(64, description="At most app.lm.generate.MAX_TOKENS_LIMIT.")
    stop: list[str] = Field(default_factory=list, max_length=8)
    seed: int | None = Field(None, ge=0, lt=2**63, description="Same seed, same text.")


class GeneratedToken(BaseModel):
    """One sampled token."""

    id: int
    text: str


class GenerateResponse(BaseModel):
    """The continuation only (not the prompt), and why it ended."""

    text: str
    finish_reason: Literal["stop", "length"]
    tokens: list[GeneratedToken]
    truncated: int
    seed: int


class TransformRequest(SamplingFields):
    """A distribution of your own: probabilities (summing to 1) or logits, plus optional counts."""

    probs: list[FiniteFloat] | None = Field(None, max_length=50_000)
    logits: list[FiniteFloat] | None = Field(None, max_length=50_000)
    counts: list[int] | None = Field(None, max_length=50_000, description="Times each entry appeared so far.")

    @model_validator(mode="after")
    def _exactly_one_distribution(self) -> "TransformRequest":
        if (self.probs is None) == (self.logits is None):
            raise ValueError("give exactly one of 'probs' or 'logits'")
        return self


class TransformResponse(BaseModel):
    """Final probabilities in input order (0 where removed) and the kept indices, most probable first."""

    probs: list[float]
    kept: list[int]
