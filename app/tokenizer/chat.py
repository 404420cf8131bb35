"""A conversation in ChatML, token by token, and how many tokens the framing itself costs.

ChatML wraps each message as `<|im_start|>{role}\\n{content}<|im_end|>\\n`. cl100k_base has no such special
tokens, so the lab uses tiktoken's documented cl100k_im (cl100k_base + <|im_start|>=100264,
<|im_end|>=100265). The markers are inserted as ids, and each piece of text is encoded on its own, as a
chat API does: `<|im_start|>` typed inside a message stays ordinary text and cannot forge a new turn.
"""

from dataclasses import dataclass

from app.tokenizer.encodings import TokenEncoding, TokenPiece
from app.tokenizer.service import replace_lone_surrogates

ROLES = ("system", "user", "assistant")
IM_START, IM_END = "<|im_start|>", "<|im_end|>"


@dataclass(frozen=True)
class ChatMessage:
    """One message of the conversation."""

    role: str
    content: str


@dataclass(frozen=True)
class ChatPart:
    """A run of tokens that is either framing (markers, role, newlines) or a message's own text."""

    role: str
    framing: bool
    pieces: list[TokenPiece]


@dataclass(frozen=True)
class MessageCount:
    """Tokens of one message: its text and its framing."""

    role: str
    content: int
    framing: int


@dataclass(frozen=True)
class ChatTranscript:
    """The conversation as ChatML tokens."""

    encoding: str
    parts: list[ChatPart]
    messages: list[MessageCount]
    primed: bool  # ends with `<|im_start|>assistant\n`, the point where the model writes its reply

    @property
    def total(self) -> int:
        """All tokens."""
        return sum(len(part.pieces) for part in self.parts)

    @property
    def framing(self) -> int:
        """Tokens spent on ChatML framing alone."""
        return sum(len(part.pieces) for part in self.parts if part.framing)

    @property
    def content(self) -> int:
        """Tokens of the messages' own text."""
        return self.total - self.framing

    @property
    def pieces(self) -> list[TokenPiece]:
        """Every token, in order."""
        return [piece for part in self.parts for piece in part.pieces]

    @property
    def classes(self) -> list[str]:
        """A CSS class per token: framing tokens are marked."""
        return [" is-framing" if part.framing else "" for part in self.parts for _ in part.pieces]

    @property
    def text(self) -> str:
        """The transcript as one string (markers written out)."""
        return "".join(piece.text for part in self.parts for piece in part.pieces)


def chatml_transcript(*, encoding: TokenEncoding, messages: list[ChatMessage]) -> ChatTranscript:
    """Frame the non-empty messages in ChatML; prime an assistant reply if the last word is not its."""
    start, end = encoding.special_ids[IM_START], encoding.special_ids[IM_END]

    def text(value: str) -> list[TokenPiece]:
        return encoding.pieces(encoding.encode(replace_lone_surrogates(value)[0], allow_special=False))

    parts: list[ChatPart] = []
    counts: list[MessageCount] = []
    kept = [message for message in messages if message.content]
    for message in kept:
        opening = encoding.pieces([start]) + text(f"{message.role}\n")
        body = text(message.content)
        closing = encoding.pieces([end]) + text("\n")
        parts += [
            ChatPart(role=message.role, framing=True, pieces=opening),
            ChatPart(role=message.role, framing=False, pieces=body),
            ChatPart(role=message.role, framing=True, pieces=closing),
        ]
        counts.append(MessageCount(role=message.role, content=len(body), framing=len(opening) + len(closing)))
    primed = bool(kept) and kept[-1].role != "assistant"
    if primed:
        parts.append(
            ChatPart(role="assistant", framing=True, pieces=encoding.pieces([start]) + text("assistant\n"))
        )
    return ChatTranscript(encoding=encoding.name, parts=parts, messages=counts, primed=primed)
