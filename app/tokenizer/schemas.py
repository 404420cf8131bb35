"""Pydantic models of the tokenizer's JSON API and of its page forms."""

from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from app.lm.bpe import MAX_STEP_MERGES


def _unix_newlines(text: str) -> str:
    """A browser submits a textarea's newlines as CRLF; the learner typed LF, which tokenizes differently."""
    return text.replace("\r\n", "\n")


FormText = Annotated[str, AfterValidator(_unix_newlines)]


class EncodingOut(BaseModel):
    """One encoding the lab can tokenize with."""

    name: str = Field(examples=["cl100k_base"])
    vocab_size: int = Field(description="Token ids, special tokens included.", examples=[100277])
    source: str = Field(description="Where its ranks come from.")


class TokenizeRequest(BaseModel):
    """Text to tokenize. Types are strict: `"text": 5` or `"allow_special": "yes"` is a 422."""

    model_config = ConfigDict(
        extra="forbid",
        strict=True,
        json_schema_extra={"examples": [{"text": "Hello, world!", "encoding": "cl100k_base"}]},
    )

    text: str = Field(
        description="Any Unicode text up to the lab's limit (100,000 characters by default; longer: 413). "
        "Lone surrogates such as \\ud800 have no UTF-8 form and are replaced by U+FFFD before encoding."
    )
    encoding: str = Field(description="A name from GET /api/encodings.", examples=["cl100k_base"])
    allow_special: bool = Field(
        default=False,
        description="false: special-token text such as <|endoftext|> is ordinary text (several tokens); "
        "true: every special token of the encoding is recognised as its single id.",
    )


class TokenOut(BaseModel):
    """One token."""

    id: int
    text: str = Field(description="The token's bytes as UTF-8, U+FFFD where a character is split.")
    bytes: str = Field(description="The token's bytes in hex.", examples=["48656c6c6f"])


class TokenizeResponse(BaseModel):
    """The tokens of the text, in order; their bytes concatenated are the text's UTF-8."""

    encoding: str
    count: int
    tokens: list[TokenOut]


# A form's emptied field arrives as "", which FastAPI turns into the field's default: so every default is
# empty, and a page opened without parameters starts from these samples instead.
PLAYGROUND_SAMPLE = "Tokenization turns text into integer IDs: 12345, strawberry, こんにちは, <|endoftext|>."
CHAT_SAMPLE = {
    "system": "You are a concise tutor.",
    "user": "What is a token?",
    "assistant": "A chunk of text, often part of a word, that the model reads as one id.",
}
TRAINER_SAMPLE = "low lower lowest newer newest wider widest"


class PlaygroundForm(BaseModel):
    """The playground's inputs (form fields or query parameters); unchecked boxes are absent."""

    model_config = ConfigDict(extra="ignore")

    text: FormText = ""
    encoding: str = "cl100k_base"
    compare: bool = False
    allow_special: bool = False
    show_ids: bool = False
    show_whitespace: bool = False


class ChatForm(BaseModel):
    """A short conversation to frame in ChatML."""

    model_config = ConfigDict(extra="ignore")

    system: FormText = ""
    user: FormText = ""
    assistant: FormText = ""


class TrainerForm(BaseModel):
    """The BPE trainer's inputs: text, how many merges to train, which step to show."""

    model_config = ConfigDict(extra="ignore")

    text: FormText = ""
    num_merges: Annotated[int, Field(ge=1, le=MAX_STEP_MERGES)] = 10
    step: Annotated[int, Field(ge=0, le=MAX_STEP_MERGES)] = 1
    go: str | None = Field(default=None, pattern="^(prev|next|first|last)$")

    @property
    def wanted_step(self) -> int:
        """The step to show after a prev/next/first/last button."""
        moves = {"prev": self.step - 1, "next": self.step + 1, "first": 0, "last": self.num_merges}
        return max(0, moves.get(self.go or "", self.step))
