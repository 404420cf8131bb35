"""JSON shapes of the attention API."""

from pydantic import BaseModel, ConfigDict, Field


class AttentionRequest(BaseModel):
    """Text to run through the lab's model."""

    model_config = ConfigDict(extra="forbid", strict=True)

    text: str = Field(
        description="Cut from the left to the model's context; empty starts from <|endoftext|>."
    )


class AttentionResponse(BaseModel):
    """Every layer's and head's attention weights, indexed [layer][head][query][key]."""

    tokens: list[str]
    layers: int
    heads: int
    attention: list[list[list[list[float]]]]
    truncated: int = Field(description="Tokens dropped from the left to fit the context (0 when none).")
