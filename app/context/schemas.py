"""JSON shapes of POST /api/context-budget, and the context page's forms."""

from pydantic import BaseModel, ConfigDict, Field

from app.tokenizer.schemas import FormText

# Each part's limit in characters: generous for pasted documents, far below the 1 MiB body cap together.
PART_LIMITS = {"system": 50_000, "history": 200_000, "documents": 400_000, "user": 50_000}
# No catalog window exceeds 2M tokens; a larger reserve is a typo, refused before any counting.
MAX_RESERVE = 2_000_000
# The attention-cost calculator's lengths: 1 token to 10M (past every window the module names).
MAX_LENGTH = 10_000_000


class ContextParts(BaseModel):
    """The four texts of one request; a missing part is empty."""

    model_config = ConfigDict(extra="forbid", strict=True)

    system: str = Field("", max_length=PART_LIMITS["system"], description="The system prompt.")
    history: str = Field(
        "",
        max_length=PART_LIMITS["history"],
        description='Earlier messages; lines starting "User:" or "Assistant:" begin a message.',
    )
    documents: str = Field(
        "", max_length=PART_LIMITS["documents"], description="Retrieved documents, best-ranked first."
    )
    user: str = Field("", max_length=PART_LIMITS["user"], description="The user's new message.")


class ContextBudgetRequest(BaseModel):
    """A request to lay into a catalog model's context window."""

    model_config = ConfigDict(
        extra="forbid",
        strict=True,
        json_schema_extra={
            "examples": [
                {
                    "model": "gpt-4o",
                    "parts": {
                        "system": "You are a helpful assistant.",
                        "history": "User: Hi!\nAssistant: Hello! How can I help?\n",
                        "documents": "[Document 1] The context window is the model's working memory.",
                        "user": "What counts against the context window?",
                    },
                    "output_reserve": 2000,
                }
            ]
        },
    )

    model: str = Field(max_length=100, description="A model id from GET /api/models (e.g. gpt-4o).")
    parts: ContextParts = Field(default_factory=ContextParts)
    output_reserve: int = Field(
        ge=0,
        le=MAX_RESERVE,
        description="Tokens kept free for the answer; at most the model's window.",
        examples=[2000],
    )


class PartOut(BaseModel):
    """One part's tokens and how many the overflow policy would cut."""

    tokens: int
    cut: int = Field(description="0 unless the request overflows and this part is cut.")


class CutOut(BaseModel):
    """Tokens dropped from one part by the overflow policy."""

    part: str = Field(examples=["history"])
    tokens: int
    side: str = Field(description='"start" (oldest history first) or "end" (last documents first).')
    whole: bool = Field(description="True when the whole part is dropped.")


class ContextBudgetResponse(BaseModel):
    """Per-part counts, the total against the window, and the overflow policy's cuts."""

    model: str
    window: int = Field(description="The model's context window in tokens (the catalog's figure).")
    encoding: str = Field(description="The encoding that counted the parts.")
    exact: bool = Field(description="False when the encoding is cl100k_base standing in for the model's own.")
    parts: dict[str, PartOut] = Field(description="system, history, documents, user.")
    output_reserve: int
    total: int = Field(description="The four parts plus the output reserve.")
    remaining: int = Field(description="Free tokens in the window (0 when it overflows).")
    overflow: int = Field(description="Tokens over the window (0 when it fits).")
    cuts: list[CutOut] = Field(
        description="Overflow policy: history (oldest first), then documents (last first); the system "
        "prompt, user message and reserve are never cut."
    )
    fits_after_cut: bool = Field(description="False when even the protected parts overflow the window.")


class BudgetForm(BaseModel):
    """The budget widget's form (POSTed: the texts are far too long for a URL)."""

    model_config = ConfigDict(extra="ignore")

    model: str = Field("gpt-4o", max_length=100)
    system: FormText = Field("", max_length=PART_LIMITS["system"])
    history: FormText = Field("", max_length=PART_LIMITS["history"])
    documents: FormText = Field("", max_length=PART_LIMITS["documents"])
    user: FormText = Field("", max_length=PART_LIMITS["user"])
    output_reserve: int = Field(2000, ge=0, le=MAX_RESERVE)
    embedded: bool = False

    def parts(self) -> dict[str, str]:
        """The four texts by part name."""
        return {
            "system": self.system,
            "history": self.history,
            "documents": self.documents,
            "user": self.user,
        }


class RatioForm(BaseModel):
    """Two lengths to compare the attention cost of."""

    model_config = ConfigDict(extra="ignore")

    short: int = Field(4_000, ge=1, le=MAX_LENGTH)
    long: int = Field(128_000, ge=1, le=MAX_LENGTH)
    embedded: bool = False
