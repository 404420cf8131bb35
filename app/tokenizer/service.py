"""Tokenizing text: counts, token pieces, every encoding side by side, costs, and what the playground shows.

Lone surrogates ("\\ud800" in JSON) have no UTF-8 form, and tiktoken encodes UTF-8; like tiktoken and the
lab's own tokenizer, the lab replaces each with U+FFFD before encoding and says how many it replaced.
"""

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from app.catalog.models import CatalogModel, ModelCatalog
from app.tokenizer.encodings import EncodingRegistry, TokenEncoding, TokenPiece
from app.tokenizer.schemas import PlaygroundForm

LONE_SURROGATE = re.compile("[\ud800-\udfff]")

# The token view stops here (a 100,000-character text is ~25,000 spans); the counts still cover everything.
DISPLAY_LIMIT = 2_000
COMPARE_LIMIT = 1_000


class UnknownEncodingError(LookupError):
    """No encoding of that name is loaded."""

    def __init__(self, name: str, known: list[str]) -> None:
        super().__init__(f"unknown encoding '{name[:80]}'; choose one of: {', '.join(known)}")


class TextTooLongError(ValueError):
    """The text is longer than the configured limit."""

    def __init__(self, length: int, limit: int) -> None:
        super().__init__(
            f"The text has {length:,} characters; the limit is {limit:,}. Shorten it and try again."
        )


@dataclass(frozen=True)
class Tokenization:
    """One text in one encoding: its tokens and counts."""

    encoding: str
    text: str
    pieces: list[TokenPiece]
    allow_special: bool
    replaced_surrogates: int
    special_as_text: list[str]  # special-token strings in the text that were read as ordinary text

    @property
    def count(self) -> int:
        """Number of tokens."""
        return len(self.pieces)

    @property
    def ids(self) -> list[int]:
        """The token ids."""
        return [piece.id for piece in self.pieces]

    @property
    def chars(self) -> int:
        """Characters (Unicode code points)."""
        return len(self.text)

    @property
    def words(self) -> int:
        """Words, split on whitespace."""
        return len(self.text.split())

    @property
    def chars_per_token(self) -> float | None:
        """Characters per token, or None for empty text."""
        return self.chars / self.count if self.count else None

    @property
    def special_pieces(self) -> list[tuple[TokenPiece, int]]:
        """Each distinct special token among the tokens, with how often it occurs, in order of first use."""
        specials = [piece for piece in self.pieces if piece.special]
        by_id = {piece.id: piece for piece in specials}
        return [(by_id[token_id], times) for token_id, times in Counter(p.id for p in specials).items()]


@dataclass(frozen=True)
class ModelCost:
    """What one catalog model would charge for the text as input."""

    model: CatalogModel
    tokens: int
    usd: float | None  # None where the module gives no per-token price

    @property
    def usd_text(self) -> str:
        """The cost in dollars, to a fraction of a cent, or '' without a price."""
        return "" if self.usd is None else format_usd(self.usd)


def replace_lone_surrogates(text: str) -> tuple[str, int]:
    """The text with each lone surrogate replaced by U+FFFD, and how many there were."""
    return LONE_SURROGATE.subn("\ufffd", text)


def check_length(text: str, *, limit: int) -> None:
    """Raise TextTooLongError when the text is over the limit."""
    if len(text) > limit:
        raise TextTooLongError(len(text), limit)


def get_encoding(*, registry: EncodingRegistry, name: str) -> TokenEncoding:
    """The loaded encoding called `name`, or UnknownEncodingError."""
    encoding = registry.get(name)
    if encoding is None:
        raise UnknownEncodingError(name, registry.names)
    return encoding


def tokenize_with(encoding: TokenEncoding, text: str, *, allow_special: bool) -> Tokenization:
    """Tokenize text (no length check) in an already chosen encoding."""
    clean, replaced = replace_lone_surrogates(text)
    ids = encoding.encode(clean, allow_special=allow_special)
    as_text = [] if allow_special else [s for s in encoding.special_ids if s in clean]
    return Tokenization(
        encoding=encoding.name,
        text=clean,
        pieces=encoding.pieces(ids),
        allow_special=allow_special,
        replaced_surrogates=replaced,
        special_as_text=as_text,
    )


def tokenize(
    *, registry: EncodingRegistry, encoding: str, text: str, allow_special: bool, max_chars: int
) -> Tokenization:
    """Tokenize text in the named encoding; raises UnknownEncodingError or TextTooLongError."""
    chosen = get_encoding(registry=registry, name=encoding)
    check_length(text, limit=max_chars)
    return tokenize_with(chosen, text, allow_special=allow_special)


def tokenize_everywhere(
    *, registry: EncodingRegistry, text: str, allow_special: bool, max_chars: int
) -> list[Tokenization]:
    """The same text in every loaded encoding, in registry order."""
    check_length(text, limit=max_chars)
    return [tokenize_with(encoding, text, allow_special=allow_special) for encoding in registry]


def input_costs(
    *, registry: EncodingRegistry, catalog: ModelCatalog, text: str, counted: Sequence[Tokenization] = ()
) -> list[ModelCost]:
    """Each catalog model's input cost for the text, counted with its encoding (or the estimate's).

    A prompt's special-token text is billed as ordinary text, so only `counted` results made with
    special tokens off are reused; any other encoding is counted here.
    """
    counts = {result.encoding: result.count for result in counted if not result.allow_special}
    costs = []
    for model in catalog.models:
        if model.cost is None:  # only the Context Windows table lists it: no Cost cell to show
            continue
        name = model.counted_with
        if name not in counts:
            counts[name] = tokenize_with(registry.get(name), text, allow_special=False).count
        price = model.input_usd_per_mtok
        usd = counts[name] * price / 1_000_000 if price is not None else None
        costs.append(ModelCost(model=model, tokens=counts[name], usd=usd))
    return costs


def format_usd(value: float) -> str:
    """Dollars with enough digits to show a fraction of a cent: 0.0000325 -> '$0.0000325'."""
    if value == 0:
        return "$0"
    if value >= 0.01:
        return f"${value:,.4f}".rstrip("0").rstrip(".")
    return f"${value:.10f}".rstrip("0")


def playground_context(
    *, form: PlaygroundForm, registry: EncodingRegistry, catalog: ModelCatalog, max_chars: int
) -> tuple[dict[str, Any], int]:
    """What the playground partial needs, and the status: bad input becomes a message in the widget."""
    context: dict[str, Any] = {
        "form": form,
        "encodings": registry.names,
        "max_chars": max_chars,
        "catalog_source": catalog.source,
        "limit": COMPARE_LIMIT if form.compare else DISPLAY_LIMIT,
    }
    try:
        if form.compare:
            results = tokenize_everywhere(
                registry=registry, text=form.text, allow_special=form.allow_special, max_chars=max_chars
            )
        else:
            results = [
                tokenize(
                    registry=registry,
                    encoding=form.encoding,
                    text=form.text,
                    allow_special=form.allow_special,
                    max_chars=max_chars,
                )
            ]
    except TextTooLongError as exc:
        return context | {"error": str(exc)}, 413
    except UnknownEncodingError as exc:
        return context | {"error": str(exc)}, 422
    costs = input_costs(registry=registry, catalog=catalog, text=results[0].text, counted=results)
    return context | {"results": results, "costs": costs}, 200
