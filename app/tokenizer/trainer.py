"""The BPE trainer widget: replay training on pasted text up to a chosen merge, with app/lm/bpe.py.

Requests are stateless: each one retrains from the start up to the step it shows, and segments the text
once, after that step's merge.
"""

from dataclasses import dataclass

from app.lm.bpe import MAX_STEP_MERGES, train_to_merge
from app.tokenizer.display import show_bytes, show_whitespace
from app.tokenizer.encodings import TokenPiece
from app.tokenizer.service import check_length, replace_lone_surrogates

MAX_TRAIN_CHARS = 20_000
MAX_SHOWN_SEGMENTS = 3_000  # the segmented view stops here; the counts cover the whole text


def _visible(raw: bytes) -> str:
    try:
        return show_whitespace(raw.decode("utf-8"))
    except UnicodeDecodeError:
        return show_bytes(raw)  # part of a character: its hex bytes


@dataclass(frozen=True)
class MergeRow:
    """One merge, for the table of merges so far."""

    index: int
    left: bytes
    right: bytes
    count: int
    new_id: int
    new_bytes: bytes

    @property
    def shown(self) -> tuple[str, str, str]:
        """Left, right and merged token, readable, with spaces and newlines made visible."""
        return _visible(self.left), _visible(self.right), _visible(self.new_bytes)


@dataclass(frozen=True)
class TrainingView:
    """Training replayed to `step` merges: the merges so far and the text as tokens after them."""

    text: str
    num_merges: int
    step: int
    merges: list[MergeRow]
    segmentation: list[bytes]
    exhausted: bool  # asked for more merges than the text has pairs to merge

    @property
    def tokens(self) -> int:
        """Tokens in the text after `step` merges."""
        return len(self.segmentation)

    @property
    def text_bytes(self) -> int:
        """Bytes of the text (its token count before any merge)."""
        return len(self.text.encode("utf-8"))

    @property
    def pieces(self) -> list[TokenPiece]:
        """The first segments as token pieces with the ids training gave them."""
        ids = {bytes([i]): i for i in range(256)} | {row.new_bytes: row.new_id for row in self.merges}
        return [
            TokenPiece(id=ids[raw], raw=raw, special=False) for raw in self.segmentation[:MAX_SHOWN_SEGMENTS]
        ]

    @property
    def current(self) -> MergeRow | None:
        """The merge made at this step (None at step 0)."""
        return self.merges[-1] if self.merges else None


def train_to_step(*, text: str, num_merges: int, step: int) -> TrainingView:
    """Train BPE on `text` and stop after `step` merges (clamped to 0..num_merges and to what exists)."""
    check_length(text, limit=MAX_TRAIN_CHARS)
    if not 1 <= num_merges <= MAX_STEP_MERGES:
        raise ValueError(f"choose between 1 and {MAX_STEP_MERGES} merges")
    text = replace_lone_surrogates(text)[0]
    step = max(0, min(step, num_merges))
    merges, segmentation = train_to_merge(text, step)
    return TrainingView(
        text=text,
        num_merges=num_merges,
        step=len(merges),
        merges=[
            MergeRow(
                index=merge.index,
                left=merge.pair_bytes[0],
                right=merge.pair_bytes[1],
                count=merge.count,
                new_id=merge.new_id,
                new_bytes=merge.new_bytes,
            )
            for merge in merges
        ],
        segmentation=segmentation,
        exhausted=len(merges) < step,
    )
