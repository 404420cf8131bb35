"""The lab's tokenizer: our trained byte-level BPE run by ``tiktoken``, plus ``<|endoftext|>``.

``<|endoftext|>`` separates documents in training and starts generation from an empty prompt, so
it doubles as the beginning-of-text token. Typed text is never turned into a special token:
the characters ``<|endoftext|>`` in a prompt are encoded as plain text.

Any valid Unicode string round-trips: ``decode(encode(s)) == s``. A Python ``str`` may also hold
lone surrogates (e.g. ``"\\ud800"``), which have no UTF-8 form; like ``tiktoken`` we replace each
with U+FFFD before encoding, so those strings come back with U+FFFD in place of the surrogate.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import tiktoken

from .bpe import GPT4_SPLIT_PATTERN, parse_tiktoken_ranks, read_tiktoken_ranks, tiktoken_rank_bytes

ENDOFTEXT = "<|endoftext|>"
DEFAULT_NAME = "lab-bpe-4k"

# What a checkpoint's card.json records about its tokenizer, and the JSON type of each entry.
CARD_FIELDS = {
    "name": str,
    "file": str,
    "sha256": str,
    "vocab_size": int,
    "special_tokens": dict,
    "pattern": str,
}
_JSON_TYPES = {str: "string", int: "integer", dict: "object"}


class LabTokenizer:
    """Encode/decode text with the lab's BPE vocabulary (fast, via tiktoken)."""

    def __init__(
        self,
        mergeable_ranks: dict[bytes, int],
        *,
        name: str = DEFAULT_NAME,
        pattern: str = GPT4_SPLIT_PATTERN,
    ) -> None:
        self.name = name
        self.pattern = pattern
        self.bot_id = len(mergeable_ranks)  # the special token comes right after the merges
        self._encoding = tiktoken.Encoding(
            name,
            pat_str=pattern,
            mergeable_ranks=mergeable_ranks,
            special_tokens={ENDOFTEXT: self.bot_id},
        )

    @classmethod
    def from_file(cls, path: str | Path, *, name: str = DEFAULT_NAME) -> LabTokenizer:
        """Load from a tiktoken rank file (``base64(token_bytes) rank`` per line)."""
        return cls(read_tiktoken_ranks(path), name=name)

    @classmethod
    def from_card(cls, path: str | Path, card: object, *, card_path: str | Path) -> LabTokenizer:
        """Load the rank file at ``path``, checked against the ``tokenizer`` entry of a checkpoint's card.

        The file's sha256, the split pattern and the special tokens must all be the card's (the ones the
        weights were trained with). Any difference is a ValueError that names the file and what differs.
        """
        path = Path(path)
        entry = _card_entry(card, card_path)
        if entry["file"] != path.name:
            raise ValueError(f"{card_path}: tokenizer.file is {entry['file']!r}, expected {path.name!r}")
        data = path.read_bytes()
        digest = hashlib.sha256(data).hexdigest()
        if digest != entry["sha256"]:
            raise ValueError(
                f"{path}: sha256 is {digest}, but {card_path} records {entry['sha256']}: "
                "this is not the tokenizer the weights were trained with"
            )
        tokenizer = cls(parse_tiktoken_ranks(data, source=str(path)), name=entry["name"])
        differences = [
            f"tokenizer.{key} is {entry[key]!r}, but the tokenizer loaded from {path.name} has {actual!r}"
            for key, actual in tokenizer.card_entry(file=path.name, sha256=digest).items()
            if entry[key] != actual
        ]
        if differences:
            raise ValueError(f"{card_path}: {'; '.join(differences)}")
        return tokenizer

    def card_entry(self, *, file: str, sha256: str) -> dict[str, Any]:
        """What a checkpoint's card.json records about this tokenizer (``from_card`` checks it)."""
        return {
            "name": self.name,
            "file": file,
            "sha256": sha256,
            "vocab_size": self.vocab_size,
            "special_tokens": {ENDOFTEXT: self.bot_id},
            "pattern": self.pattern,
        }

    def rank_file_bytes(self) -> bytes:
        """The tiktoken rank file of this vocabulary, as bytes (the special token is not in it)."""
        return tiktoken_rank_bytes(self.mergeable_ranks())

    @property
    def encoding(self) -> tiktoken.Encoding:
        """The underlying ``tiktoken.Encoding``."""
        return self._encoding

    @property
    def vocab_size(self) -> int:
        """Number of token ids, the special token included."""
        return self._encoding.n_vocab

    @property
    def eot_id(self) -> int:
        """Id of ``<|endoftext|>`` (the same token as ``bot_id``)."""
        return self.bot_id

    def encode(self, text: str, *, bos: bool = False) -> list[int]:
        """Token ids for ``text``; ``bos=True`` puts ``<|endoftext|>`` first."""
        ids = self._encoding.encode_ordinary(text)
        return [self.bot_id, *ids] if bos else ids

    def decode(self, ids: Sequence[int]) -> str:
        """Text for token ids; bytes that are not valid UTF-8 become U+FFFD."""
        return self._encoding.decode(list(ids), errors="replace")

    def decode_bytes(self, ids: Sequence[int]) -> bytes:
        """The raw bytes of token ids (``<|endoftext|>`` as its literal text)."""
        return self._encoding.decode_bytes(list(ids))

    def token_bytes(self, token_id: int) -> bytes:
        """The bytes of one token (may be part of a UTF-8 character)."""
        if not 0 <= token_id < self.vocab_size:
            raise ValueError(f"token id {token_id} outside [0, {self.vocab_size})")
        return self._encoding.decode_single_token_bytes(token_id)

    def mergeable_ranks(self) -> dict[bytes, int]:
        """The rank table (token bytes -> id) without the special token."""
        return {self.token_bytes(i): i for i in range(self.bot_id)}

    def __repr__(self) -> str:
        return f"LabTokenizer(name={self.name!r}, vocab_size={self.vocab_size})"


def _card_entry(card: object, card_path: str | Path) -> dict[str, Any]:
    """The card's ``tokenizer`` object, after checking that every entry is there with its JSON type."""
    entry = card.get("tokenizer") if isinstance(card, dict) else None
    if not isinstance(entry, dict):
        raise ValueError(
            f"{card_path}: 'tokenizer' must be an object with {', '.join(CARD_FIELDS)}, got {entry!r:.80}"
        )
    for key, kind in CARD_FIELDS.items():
        value = entry.get(key)
        if not isinstance(value, kind) or isinstance(value, bool):
            raise ValueError(
                f"{card_path}: tokenizer.{key} must be a JSON {_JSON_TYPES[kind]}, got {value!r:.80}"
            )
    return entry
