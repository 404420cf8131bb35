"""all-MiniLM-L6-v2's WordPiece tokens, for the tokenizer playground's side-by-side view.

The model's own tokenizer.json, run by the `tokenizers` library directly: it loads in milliseconds, so the
tokenizer page never waits for the model. BERT's WordPiece lowercases (this model is uncased), strips
accents, splits on whitespace and punctuation, then marks each piece that continues a word with "##".
"""

from dataclasses import dataclass
from functools import lru_cache

from app.embeddings.model import MAX_SEQ_LENGTH, model_dir
from app.tokenizer.encodings import TokenPiece

SPECIAL_TOKENS = frozenset({"[CLS]", "[SEP]", "[UNK]", "[PAD]", "[MASK]"})
ENCODING_NAME = "all-MiniLM-L6-v2 (WordPiece)"


@lru_cache(maxsize=1)
def wordpiece_tokenizer():  # noqa: ANN201 - a tokenizers.Tokenizer
    """The model's tokenizer, without the fixed 128-token padding and truncation its file sets."""
    from tokenizers import Tokenizer

    tokenizer = Tokenizer.from_file(str(model_dir() / "tokenizer.json"))
    tokenizer.no_truncation()
    tokenizer.no_padding()
    return tokenizer


@dataclass(frozen=True)
class WordPieces:
    """A text as the embedding model's tokenizer cuts it."""

    name: str
    pieces: list[TokenPiece]  # [CLS] ... [SEP], "##" kept on continuation pieces
    model_reads: int  # the model embeds at most MAX_SEQ_LENGTH pieces; the rest is cut
    vocab_size: int

    @property
    def count(self) -> int:
        """Number of pieces, [CLS] and [SEP] included."""
        return len(self.pieces)

    @property
    def continuations(self) -> int:
        """Pieces that continue a word (start with "##")."""
        return sum(piece.text.startswith("##") for piece in self.pieces)


def wordpieces(text: str) -> WordPieces:
    """Tokenize with MiniLM's WordPiece; each piece's bytes are its vocabulary string's."""
    tokenizer = wordpiece_tokenizer()
    encoding = tokenizer.encode(text)
    pieces = [
        TokenPiece(id=token_id, raw=token.encode("utf-8"), special=token in SPECIAL_TOKENS)
        for token_id, token in zip(encoding.ids, encoding.tokens, strict=True)
    ]
    return WordPieces(
        name=ENCODING_NAME, pieces=pieces, model_reads=MAX_SEQ_LENGTH, vocab_size=tokenizer.get_vocab_size()
    )
