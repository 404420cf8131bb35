"""The course's token claims against the real encodings, computed each time a lesson is shown."""

import json
from dataclasses import dataclass

from app.tokenizer.claims import DiagramClaim, ExampleClaims, TokenClaim
from app.tokenizer.encodings import EncodingRegistry
from app.tokenizer.service import Tokenization, tokenize_with

CLAIMED_ENCODING = "cl100k_base"  # the table says "GPT-4 (cl100k_base vocabulary)"
COMPARED_ENCODINGS = ("cl100k_base", "o200k_base")


@dataclass(frozen=True)
class ExampleCheck:
    """One claimed row and what the real encodings make of its text."""

    claim: TokenClaim
    results: list[Tokenization]  # one per compared encoding, claimed encoding first
    as_text: Tokenization | None  # for a special token: the same text typed, special tokens off

    @property
    def actual(self) -> Tokenization:
        """The claimed encoding's real result."""
        return self.results[0]

    @property
    def matches(self) -> bool:
        """True when the claimed encoding really gives these tokens, and as many as the claimed count."""
        real = tuple(piece.text for piece in self.actual.pieces)
        return real == self.claim.tokens and self.actual.count == self.claim.count

    @property
    def correction(self) -> str | None:
        """A one-line correction, or None when the claim holds."""
        if self.matches:
            return None
        real = [piece.text for piece in self.actual.pieces]
        return (  # JSON lists, written the way the module writes its tokens
            f"{CLAIMED_ENCODING} splits {json.dumps(self.claim.text, ensure_ascii=False)} into {len(real)} "
            f"token{'s' * (len(real) != 1)} {_json(real)}, not {self.claim.count} {_json(self.claim.tokens)}."
        )


@dataclass(frozen=True)
class DiagramCheck:
    """The diagram's ids beside the real ids of its sentence."""

    claim: DiagramClaim
    results: list[Tokenization]
    decoded: dict[str, str]  # what the diagram's ids spell in each encoding, as a JSON string literal

    @property
    def matching(self) -> list[str]:
        """The encodings whose ids for the sentence are the diagram's."""
        return [result.encoding for result in self.results if tuple(result.ids) == self.claim.ids]


def _json(tokens) -> str:  # noqa: ANN001 - a sequence of str
    return json.dumps(list(tokens), ensure_ascii=False)


def _compared(registry: EncodingRegistry):  # noqa: ANN202 - list of TokenEncoding
    return [registry.get(name) for name in COMPARED_ENCODINGS if name in registry]


def check_examples(*, registry: EncodingRegistry, claims: ExampleClaims) -> list[ExampleCheck]:
    """Each claimed row beside the real cl100k_base and o200k_base results."""
    checks = []
    for claim in claims.rows:
        results = [tokenize_with(e, claim.text, allow_special=claim.special) for e in _compared(registry)]
        as_text = tokenize_with(registry.get(CLAIMED_ENCODING), claim.text, allow_special=False)
        checks.append(ExampleCheck(claim=claim, results=results, as_text=as_text if claim.special else None))
    return checks


def check_diagram(*, registry: EncodingRegistry, claim: DiagramClaim) -> DiagramCheck:
    """The diagram's sentence in each compared encoding, and its ids read back in each."""
    encodings = _compared(registry)
    decoded = {  # JSON, so that control characters such as \r\n stay visible
        e.name: json.dumps(
            e.encoding.decode([i for i in claim.ids if i < e.vocab_size], errors="replace"),
            ensure_ascii=False,
        )
        for e in encodings
    }
    return DiagramCheck(
        claim=claim,
        results=[tokenize_with(e, claim.text, allow_special=False) for e in encodings],
        decoded=decoded,
    )
