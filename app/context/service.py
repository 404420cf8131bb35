"""A request's token budget in a model's context window, the overflow policy, and chat-history growth.

Counts are real: each part is encoded with the model's own encoding where the lab has it (the catalog's
`encoding`), otherwise with its `estimate_encoding` (cl100k_base), and the page says which.

Overflow policy, as chat applications do it: the system prompt, the user's new message and the output
reserve are never cut. The conversation history goes first, oldest tokens first; then the retrieved
documents, from the last (lowest-ranked) one back. If the three protected parts alone overflow, nothing can
be cut and the request cannot be sent.
"""

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

from app.catalog.models import CatalogModel, ModelCatalog
from app.tokenizer.encodings import EncodingRegistry, TokenEncoding

PARTS = ("system", "history", "documents", "user")
LABELS = {
    "system": "System prompt",
    "history": "Conversation history",
    "documents": "Retrieved documents",
    "user": "User message",
    "reserve": "Output reserve",
}
# What is cut first when a request overflows, and from which side.
CUT_ORDER: tuple[tuple[str, Literal["start", "end"]], ...] = (("history", "start"), ("documents", "end"))


class BudgetError(ValueError):
    """The request cannot be budgeted as given (unknown model, a reserve larger than the window)."""


@dataclass(frozen=True)
class PartCount:
    """One part of the request: its tokens and how many of them the policy would cut."""

    name: str
    tokens: int
    cut: int = 0

    @property
    def label(self) -> str:
        """The part's name for people."""
        return LABELS[self.name]

    @property
    def kept(self) -> int:
        """Tokens left after the cut."""
        return self.tokens - self.cut


@dataclass(frozen=True)
class Cut:
    """Tokens the policy drops from one part, and from which side."""

    part: str
    tokens: int
    side: Literal["start", "end"]
    whole: bool  # the part is dropped entirely

    @property
    def label(self) -> str:
        """The part's name for people."""
        return LABELS[self.part]


@dataclass(frozen=True)
class Budget:
    """A request laid into one model's context window."""

    model: CatalogModel
    encoding: str
    exact: bool
    window: int
    parts: tuple[PartCount, ...]
    reserve: int
    cuts: tuple[Cut, ...]
    short: int  # tokens still over the window after every allowed cut (0 when it fits)

    @property
    def prompt_tokens(self) -> int:
        """Tokens of the four input parts."""
        return sum(part.tokens for part in self.parts)

    @property
    def total(self) -> int:
        """Input parts plus the output reserve: what the window must hold."""
        return self.prompt_tokens + self.reserve

    @property
    def remaining(self) -> int:
        """Free tokens in the window (0 when it overflows)."""
        return max(0, self.window - self.total)

    @property
    def overflow(self) -> int:
        """Tokens over the window (0 when it fits)."""
        return max(0, self.total - self.window)

    @property
    def fits_after_cut(self) -> bool:
        """True when the request fits, at once or after the policy's cuts."""
        return self.short == 0

    def part(self, name: str) -> PartCount:
        """One part by name."""
        return next(part for part in self.parts if part.name == name)


def find_model(catalog: ModelCatalog, model_id: str) -> CatalogModel:
    """The catalog model with this id; BudgetError naming the known ids otherwise."""
    for model in catalog.models:
        if model.id == model_id:
            return model
    known = ", ".join(model.id for model in catalog.models)
    raise BudgetError(f"unknown model {model_id!r}; the catalog has: {known}")


def encoding_for(encodings: EncodingRegistry, model: CatalogModel) -> TokenEncoding:
    """The encoding that counts this model's tokens (its own, or the catalog's estimate)."""
    encoding = encodings.get(model.counted_with)
    if encoding is None:  # load_catalog checks this at start-up
        raise BudgetError(f"the encoding {model.counted_with!r} of {model.name} is not loaded")
    return encoding


def count_tokens(encoding: TokenEncoding, text: str) -> int:
    """Tokens of `text`, with special-token text counted as ordinary text (as an API treats user input)."""
    return len(encoding.encode(text, allow_special=False)) if text else 0


def cut_plan(tokens: Mapping[str, int], overflow: int) -> tuple[tuple[Cut, ...], int]:
    """The cuts that remove `overflow` tokens by CUT_ORDER, and what is still over after them.

    Example: ``cut_plan({"history": 2000, "documents": 8000}, 2500)`` cuts all 2,000 history tokens and the
    last 500 document tokens, leaving 0.
    """
    cuts = []
    left = max(0, overflow)
    for part, side in CUT_ORDER:
        if left == 0:
            break
        take = min(left, tokens.get(part, 0))
        if take:
            cuts.append(Cut(part=part, tokens=take, side=side, whole=take == tokens[part]))
            left -= take
    return tuple(cuts), left


def context_budget(
    *, encodings: EncodingRegistry, model: CatalogModel, parts: Mapping[str, str], output_reserve: int
) -> Budget:
    """Count every part with the model's encoding, lay them into its window and plan the cuts."""
    window = model.context_tokens
    if output_reserve < 0:
        raise BudgetError(f"the output reserve must be 0 or more tokens, got {output_reserve:,}")
    if output_reserve > window:
        raise BudgetError(
            f"the output reserve ({output_reserve:,} tokens) is larger than {model.name}'s whole "
            f"context window ({window:,} tokens)"
        )
    encoding = encoding_for(encodings, model)
    tokens = {name: count_tokens(encoding, parts.get(name, "")) for name in PARTS}
    overflow = sum(tokens.values()) + output_reserve - window
    cuts, short = cut_plan(tokens, overflow)
    cut_by_part = {cut.part: cut.tokens for cut in cuts}
    return Budget(
        model=model,
        encoding=encoding.name,
        exact=model.exact,
        window=window,
        parts=tuple(PartCount(name=n, tokens=tokens[n], cut=cut_by_part.get(n, 0)) for n in PARTS),
        reserve=output_reserve,
        cuts=cuts,
        short=short,
    )


# A message starts at a line beginning "User:" or "Assistant:" (any case); the line break before it stays
# with the previous message, so the messages' counts add up to the history's count.
_ROLE_LINE = re.compile(r"^(?P<role>user|assistant)\s*:", re.IGNORECASE | re.MULTILINE)


@dataclass(frozen=True)
class Message:
    """One message of a pasted conversation."""

    role: str  # "user", "assistant", or "text" for anything before the first label
    text: str
    tokens: int


@dataclass(frozen=True)
class Turn:
    """One request of the chat: the user's message, what the app sent, and the reply it got."""

    number: int
    user_tokens: int
    sent: int  # input tokens of this request: system prompt + every earlier message + this message
    reply_tokens: int | None  # None for the new message, whose reply is still to come
    cumulative: int  # input tokens sent so far, this request included


def split_messages(history: str) -> list[tuple[str, str]]:
    """(role, text) of each message; the texts joined give back `history` exactly.

    Example: ``split_messages("User: hi\\nAssistant: hello")`` -> ``[("user", "User: hi\\n"),
    ("assistant", "Assistant: hello")]``
    """
    starts = [(m.start(), m["role"].lower()) for m in _ROLE_LINE.finditer(history)]
    pieces: list[tuple[str, str]] = []
    if not starts or starts[0][0] > 0:
        head = history[: starts[0][0]] if starts else history
        if head:
            pieces.append(("text", head))
    for i, (start, role) in enumerate(starts):
        end = starts[i + 1][0] if i + 1 < len(starts) else len(history)
        pieces.append((role, history[start:end]))
    return pieces


def messages(encoding: TokenEncoding, history: str) -> list[Message]:
    """The history's messages with their token counts."""
    return [
        Message(role=role, text=text, tokens=count_tokens(encoding, text))
        for role, text in split_messages(history)
    ]


def history_growth(*, encoding: TokenEncoding, system: str, history: str, user: str) -> list[Turn]:
    """What a chat app sends at each turn: it resends the system prompt and the whole history every time."""
    context = count_tokens(encoding, system)  # tokens in front of the next message
    rows: list[dict] = []
    for message in messages(encoding, history):
        if message.role == "user":
            rows.append({"user_tokens": message.tokens, "sent": context + message.tokens, "reply_tokens": 0})
        elif rows and message.role == "assistant":
            rows[-1]["reply_tokens"] += message.tokens
        context += message.tokens
    user_tokens = count_tokens(encoding, user)
    rows.append({"user_tokens": user_tokens, "sent": context + user_tokens, "reply_tokens": None})
    turns, cumulative = [], 0
    for number, row in enumerate(rows, start=1):
        cumulative += row["sent"]
        turns.append(Turn(number=number, cumulative=cumulative, **row))
    return turns


def attention_cost_ratio(short: int, long: int) -> float:
    """How many times more attention work (n x n scores) `long` tokens take than `short`: (long/short)^2.

    Example: ``attention_cost_ratio(4_000, 32_000) -> 64.0``
    """
    if short <= 0 or long <= 0:
        raise ValueError("lengths must be positive")
    return (long / short) ** 2


def attention_matrix_bytes(n: int, bytes_per_entry: int = 2) -> int:
    """Bytes of one full n x n attention matrix (one head, one layer); 2 bytes an entry in fp16/bf16."""
    return n * n * bytes_per_entry
