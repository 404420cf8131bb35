"""Byte-level byte pair encoding (BPE), trained in pure Python and run through tiktoken.

References: Sennrich et al. 2016 (BPE for NMT); GPT-2's byte-level BPE; karpathy/minbpe for the
teaching shape (get_pair_counts / merge helpers); openai/tiktoken for the rank file format.

Training works on *unique* pre-split chunks weighted by how often each occurs, and updates the pair
counts incrementally after each merge: only the chunks that contain the merged pair are touched.
That is what lets ~1.5 M words train a 4,096-token vocabulary in about a minute instead of hours.

Every token's bytes are unique: tiktoken's rank table maps bytes -> rank, so the trainer never
creates a second token with bytes that are already in the vocabulary (such a pair is skipped).
"""

from __future__ import annotations

import base64
import heapq
import logging
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import regex
import tiktoken

logger = logging.getLogger(__name__)

# GPT-4 (cl100k_base) style pre-split: contractions, words with one optional leading non-letter,
# numbers of up to 3 digits, punctuation runs, newlines, and whitespace (a space before a word stays
# attached to the word). Merges never cross these chunk boundaries.
GPT4_SPLIT_PATTERN = (
    r"""'(?i:[sdmt]|ll|ve|re)|[^\r\n\p{L}\p{N}]?+\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]++[\r\n]*"""
    r"""|\s*[\r\n]|\s+(?!\S)|\s+"""
)

# The widget trainer replays training from the start on every request, so it stays small on purpose.
MAX_STEP_MERGES = 500

Pair = tuple[int, int]


def get_pair_counts(
    ids: list[int], counts: dict[Pair, int] | None = None, weight: int = 1
) -> dict[Pair, int]:
    """Count adjacent id pairs, adding ``weight`` per occurrence into ``counts`` if given.

    Example: ``get_pair_counts([1, 2, 3, 1, 2]) -> {(1, 2): 2, (2, 3): 1, (3, 1): 1}``
    """
    counts = {} if counts is None else counts
    for pair in zip(ids, ids[1:], strict=False):
        counts[pair] = counts.get(pair, 0) + weight
    return counts


def merge(ids: list[int], pair: Pair, new_id: int) -> list[int]:
    """Replace every non-overlapping occurrence of ``pair`` (left to right) by ``new_id``.

    Example: ``merge([1, 2, 3, 1, 2], (1, 2), 4) -> [4, 3, 4]``
    """
    out: list[int] = []
    i = 0
    n = len(ids)
    while i < n:
        if i + 1 < n and ids[i] == pair[0] and ids[i + 1] == pair[1]:
            out.append(new_id)
            i += 2
        else:
            out.append(ids[i])
            i += 1
    return out


def split_text(text: str, pattern: str | None = GPT4_SPLIT_PATTERN) -> list[str]:
    """Pre-split ``text`` into chunks with the regex (``None``: the whole text is one chunk).

    Example: ``split_text("Hello world!!") -> ["Hello", " world", "!!"]``
    """
    if pattern is None:
        return [text] if text else []
    return regex.findall(pattern, text)


def chunk_counts(texts: Iterable[str], pattern: str | None = GPT4_SPLIT_PATTERN) -> Counter[bytes]:
    """Count the unique UTF-8 chunks of many texts; training only needs each chunk once.

    Example: ``chunk_counts(["a a", "a"]) -> Counter({b"a": 2, b" a": 1})``
    """
    counts: Counter[bytes] = Counter()
    for text in texts:
        counts.update(chunk.encode("utf-8") for chunk in split_text(text, pattern))
    return counts


@dataclass(frozen=True)
class Merge:
    """One training merge, as the BPE trainer widget shows it."""

    index: int  # 0-based merge number
    pair: tuple[int, int]
    pair_bytes: tuple[bytes, bytes]
    count: int  # occurrences of the pair in the text just before this merge
    new_id: int
    new_bytes: bytes


@dataclass(frozen=True)
class MergeStep(Merge):
    """One training merge and the whole text as token byte strings after it."""

    segmentation: list[bytes]


class _IncrementalTrainer:
    """Weighted unique chunks plus pair counts that are patched, not recounted, after each merge."""

    def __init__(self, counts: dict[bytes, int]) -> None:
        self.chunks: list[list[int]] = [list(chunk) for chunk in counts]
        self.weights: list[int] = list(counts.values())
        self.vocab: dict[int, bytes] = {i: bytes([i]) for i in range(256)}
        self.known_bytes: set[bytes] = set(self.vocab.values())
        self.pair_counts: dict[Pair, int] = {}
        # Which chunks may contain a pair; may hold stale entries, which merge() simply ignores.
        self.where: dict[Pair, set[int]] = {}
        for index, (ids, weight) in enumerate(zip(self.chunks, self.weights, strict=True)):
            for pair in zip(ids, ids[1:], strict=False):
                self.pair_counts[pair] = self.pair_counts.get(pair, 0) + weight
                self.where.setdefault(pair, set()).add(index)
        # Max-heap via negated counts; ties go to the lowest pair. Entries go stale when a count
        # changes, so each pop is checked against the live count (lazy deletion).
        self.heap: list[tuple[int, Pair]] = [(-c, p) for p, c in self.pair_counts.items()]
        heapq.heapify(self.heap)
        self.skipped: set[Pair] = set()

    def best_pair(self) -> tuple[Pair, int] | None:
        """Most frequent pair (ties: lowest ids) whose merge makes new bytes, or None."""
        while self.heap:
            neg_count, pair = self.heap[0]
            live = self.pair_counts.get(pair, 0)
            if live != -neg_count or live <= 0 or pair in self.skipped:
                heapq.heappop(self.heap)
                continue
            if self.vocab[pair[0]] + self.vocab[pair[1]] in self.known_bytes:
                self.skipped.add(pair)
                heapq.heappop(self.heap)
                continue
            return pair, live
        return None

    def apply(self, pair: Pair, new_id: int) -> None:
        """Merge ``pair`` into ``new_id`` in every chunk that holds it, patching the pair counts."""
        new_bytes = self.vocab[pair[0]] + self.vocab[pair[1]]
        self.vocab[new_id] = new_bytes
        self.known_bytes.add(new_bytes)
        changed: dict[Pair, int] = {}
        for index in self.where.pop(pair, ()):
            old = self.chunks[index]
            new = merge(old, pair, new_id)
            if len(new) == len(old):
                continue  # stale index entry: the pair left this chunk in an earlier merge
            weight = self.weights[index]
            for p in zip(old, old[1:], strict=False):
                changed[p] = changed.get(p, 0) - weight
            for p in zip(new, new[1:], strict=False):
                changed[p] = changed.get(p, 0) + weight
                if new_id in p:
                    self.where.setdefault(p, set()).add(index)
            self.chunks[index] = new
        for p, delta in changed.items():
            if delta == 0:
                continue
            count = self.pair_counts.get(p, 0) + delta
            if count > 0:
                self.pair_counts[p] = count
                heapq.heappush(self.heap, (-count, p))
            else:
                self.pair_counts.pop(p, None)


def _train_merges(counts: dict[bytes, int], num_merges: int) -> Iterator[tuple[Pair, int, int]]:
    """Yield ``(pair, count, new_id)`` for up to ``num_merges`` merges over weighted chunks."""
    trainer = _IncrementalTrainer(counts)
    for step in range(num_merges):
        best = trainer.best_pair()
        if best is None:
            logger.info("BPE: no pair left to merge after %d merges", step)
            return
        pair, count = best
        new_id = 256 + step
        trainer.apply(pair, new_id)
        yield pair, count, new_id


@dataclass(frozen=True)
class BytePairEncoding:
    """A trained byte-level BPE: ordered merges plus the split pattern."""

    merges: dict[Pair, int]  # (left id, right id) -> new id, in training order
    pattern: str | None = GPT4_SPLIT_PATTERN

    @property
    def vocab(self) -> dict[int, bytes]:
        """Token id -> token bytes (256 single bytes, then one entry per merge)."""
        vocab = {i: bytes([i]) for i in range(256)}
        for (a, b), new_id in self.merges.items():
            vocab[new_id] = vocab[a] + vocab[b]
        return vocab

    def ranks(self) -> dict[bytes, int]:
        """tiktoken's ``mergeable_ranks``: token bytes -> rank (the rank is the token id)."""
        return {token: i for i, token in self.vocab.items()}

    def encode_chunk(self, chunk: bytes) -> list[int]:
        """Encode one pre-split chunk the way tiktoken does: merge the lowest-rank pair first."""
        ranks = self.ranks()
        return _bpe_by_ranks(chunk, ranks)

    def encode(self, text: str) -> list[int]:
        """Pure-Python reference encoder (slow; use ``to_encoding()`` for real work)."""
        ranks = self.ranks()
        ids: list[int] = []
        for chunk in split_text(text, self.pattern):
            ids.extend(_bpe_by_ranks(chunk.encode("utf-8"), ranks))
        return ids

    def decode_bytes(self, ids: Iterable[int]) -> bytes:
        """Concatenate the tokens' bytes."""
        vocab = self.vocab
        return b"".join(vocab[i] for i in ids)

    def save_tiktoken(self, path: str | Path) -> None:
        """Write tiktoken's rank file: one ``base64(token_bytes) rank`` line per token."""
        write_tiktoken_ranks(self.ranks(), path)

    @classmethod
    def load_tiktoken(cls, path: str | Path, pattern: str | None = GPT4_SPLIT_PATTERN) -> BytePairEncoding:
        """Read a rank file and recover the ordered merges from it."""
        return cls(merges=merges_from_ranks(read_tiktoken_ranks(path)), pattern=pattern)

    def to_encoding(self, name: str, special_tokens: dict[str, int] | None = None) -> tiktoken.Encoding:
        """A ``tiktoken.Encoding`` running this vocabulary (fast, in Rust)."""
        if self.pattern is None:
            raise ValueError("tiktoken needs a split pattern; this BPE was trained without one")
        return tiktoken.Encoding(
            name,
            pat_str=self.pattern,
            mergeable_ranks=self.ranks(),
            special_tokens=special_tokens or {},
        )


def _bpe_by_ranks(chunk: bytes, ranks: dict[bytes, int], max_rank: int | None = None) -> list[int]:
    """Split ``chunk`` into tokens by repeatedly merging the adjacent pair of lowest rank."""
    parts = [chunk[i : i + 1] for i in range(len(chunk))]
    while len(parts) > 1:
        best_rank, best_i = None, -1
        for i in range(len(parts) - 1):
            rank = ranks.get(parts[i] + parts[i + 1])
            if rank is None or (max_rank is not None and rank >= max_rank):
                continue
            if best_rank is None or rank < best_rank:
                best_rank, best_i = rank, i
        if best_rank is None:
            break
        parts[best_i : best_i + 2] = [parts[best_i] + parts[best_i + 1]]
    return [ranks[p] for p in parts]


def train_bpe(
    texts: Iterable[str] | dict[bytes, int],
    vocab_size: int,
    pattern: str | None = GPT4_SPLIT_PATTERN,
) -> BytePairEncoding:
    """Train merges until the vocabulary has ``vocab_size`` tokens (incremental, fast).

    ``texts`` is an iterable of documents, or already counted chunks (see ``chunk_counts``).
    """
    if vocab_size < 256:
        raise ValueError(f"vocab_size must be at least 256 (the byte alphabet), got {vocab_size}")
    counts = texts if isinstance(texts, dict) else chunk_counts(texts, pattern)
    merges: dict[Pair, int] = {}
    for step, (pair, count, new_id) in enumerate(_train_merges(counts, vocab_size - 256)):
        merges[pair] = new_id
        if (step + 1) % 500 == 0:
            logger.info("BPE: %d merges, last %s x%d", step + 1, pair, count)
    return BytePairEncoding(merges=merges, pattern=pattern)


def train_bpe_naive(
    texts: Iterable[str], vocab_size: int, pattern: str | None = GPT4_SPLIT_PATTERN
) -> BytePairEncoding:
    """Reference trainer that recounts every pair after every merge (slow, obviously correct)."""
    counts = chunk_counts(texts, pattern)
    chunks = [list(chunk) for chunk in counts]
    weights = list(counts.values())
    vocab = {i: bytes([i]) for i in range(256)}
    merges: dict[Pair, int] = {}
    for new_id in range(256, vocab_size):
        pair_counts: dict[Pair, int] = {}
        for ids, weight in zip(chunks, weights, strict=True):
            get_pair_counts(ids, pair_counts, weight)
        known = set(vocab.values())
        candidates = [p for p in pair_counts if vocab[p[0]] + vocab[p[1]] not in known]
        if not candidates:
            break
        best = min(candidates, key=lambda p: (-pair_counts[p], p))
        chunks = [merge(ids, best, new_id) for ids in chunks]
        vocab[new_id] = vocab[best[0]] + vocab[best[1]]
        merges[best] = new_id
    return BytePairEncoding(merges=merges, pattern=pattern)


class TextTrainer:
    """BPE trained on one text a merge at a time; the text's segmentation is built only when asked for.

    Example: ``t = TextTrainer("aaabdaaabac", pattern=None); t.merge_next().new_bytes -> b"aa"``
    """

    def __init__(self, text: str, pattern: str | None = GPT4_SPLIT_PATTERN) -> None:
        self._chunks = [chunk.encode("utf-8") for chunk in split_text(text, pattern)]
        self._trainer = _IncrementalTrainer(Counter(self._chunks))
        self._slot = {chunk: i for i, chunk in enumerate(dict.fromkeys(self._chunks))}
        self.merges: list[Merge] = []

    def merge_next(self) -> Merge | None:
        """Make the next merge (the most frequent pair) and return it; None when no pair is left."""
        best = self._trainer.best_pair()
        if best is None:
            return None
        pair, count = best
        new_id = 256 + len(self.merges)
        vocab = self._trainer.vocab
        pair_bytes = (vocab[pair[0]], vocab[pair[1]])
        self._trainer.apply(pair, new_id)
        merge = Merge(len(self.merges), pair, pair_bytes, count, new_id, vocab[new_id])
        self.merges.append(merge)
        return merge

    def segmentation(self) -> list[bytes]:
        """The whole text as token byte strings after the merges so far: O(len(text)) per call."""
        vocab, chunks = self._trainer.vocab, self._trainer.chunks
        return [vocab[t] for chunk in self._chunks for t in chunks[self._slot[chunk]]]


def train_steps(text: str, num_merges: int, pattern: str | None = GPT4_SPLIT_PATTERN) -> Iterator[MergeStep]:
    """Train on ``text`` one merge at a time, yielding each step with the re-segmented text.

    At most ``MAX_STEP_MERGES`` merges; stops early when no pair is left. Each step costs
    O(len(text)) to rebuild the segmentation: to show one step only, use ``TextTrainer``.
    """
    _check_step_merges(num_merges)
    trainer = TextTrainer(text, pattern)
    for _ in range(num_merges):
        merge = trainer.merge_next()
        if merge is None:
            return
        yield MergeStep(**vars(merge), segmentation=trainer.segmentation())


def train_to_merge(
    text: str, num_merges: int, pattern: str | None = GPT4_SPLIT_PATTERN
) -> tuple[list[Merge], list[bytes]]:
    """Train up to ``num_merges`` merges on ``text``: the merges, and the text's segmentation after them.

    The segmentation is built once, at the end, so this costs about as much as the merges themselves.
    Example: ``train_to_merge("aaabdaaabac", 1, pattern=None)[1] -> [b"aa", b"a", b"b", b"d", ...]``
    """
    _check_step_merges(num_merges)
    trainer = TextTrainer(text, pattern)
    while len(trainer.merges) < num_merges and trainer.merge_next() is not None:
        pass
    return trainer.merges, trainer.segmentation()


def _check_step_merges(num_merges: int) -> None:
    if num_merges < 0 or num_merges > MAX_STEP_MERGES:
        raise ValueError(f"num_merges must be between 0 and {MAX_STEP_MERGES}, got {num_merges}")


def tiktoken_rank_bytes(ranks: dict[bytes, int]) -> bytes:
    """The contents of a rank file for ``ranks``: one ``base64(token_bytes) rank`` line each, by rank.

    Example: ``tiktoken_rank_bytes({b"b": 1, b"a": 0}) -> b"YQ== 0\nYg== 1\n"``
    """
    lines = [
        f"{base64.b64encode(token).decode('ascii')} {rank}\n"
        for token, rank in sorted(ranks.items(), key=lambda item: item[1])
    ]
    return "".join(lines).encode("ascii")


def write_tiktoken_ranks(ranks: dict[bytes, int], path: str | Path) -> None:
    """Write ``ranks`` in tiktoken's format, sorted by rank."""
    Path(path).write_bytes(tiktoken_rank_bytes(ranks))


def read_tiktoken_ranks(path: str | Path) -> dict[bytes, int]:
    """Read a tiktoken rank file into ``bytes -> rank``, with errors that name the line."""
    return parse_tiktoken_ranks(Path(path).read_bytes(), source=str(path))


def parse_tiktoken_ranks(data: bytes, *, source: str) -> dict[bytes, int]:
    """Parse the contents of a rank file (``source`` names it in errors) into ``bytes -> rank``.

    Example: ``parse_tiktoken_ranks(b"YQ== 0\nYg== 1\n", source="x") -> {b"a": 0, b"b": 1}``
    """
    ranks: dict[bytes, int] = {}
    for number, line in enumerate(data.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            token_b64, rank_text = line.split()
            token, rank = base64.b64decode(token_b64, validate=True), int(rank_text)
        except ValueError as exc:  # binascii.Error is a ValueError
            shown = line[:60].decode("ascii", errors="backslashreplace")
            raise ValueError(f"{source}:{number}: expected 'base64 rank', got {shown!r}") from exc
        if token in ranks:
            raise ValueError(f"{source}:{number}: token {token!r} appears twice")
        ranks[token] = rank
    return ranks


def merges_from_ranks(ranks: dict[bytes, int]) -> dict[Pair, int]:
    """Recover ordered merges from a byte-level rank table whose ids 0-255 are the raw bytes.

    Each multi-byte token is split with the merges ranked below it; that must leave exactly two
    parts, which are the pair that created it.
    """
    for i in range(256):
        if ranks.get(bytes([i])) != i:
            raise ValueError(f"rank table must map byte {i} to rank {i}")
    if sorted(ranks.values()) != list(range(len(ranks))):
        raise ValueError("ranks must be the contiguous ids 0..n-1")
    merges: dict[Pair, int] = {}
    for token, rank in sorted(ranks.items(), key=lambda item: item[1]):
        if rank < 256:
            continue
        parts = _split_in_two(token, ranks, rank)
        merges[parts] = rank
    return merges


def _split_in_two(token: bytes, ranks: dict[bytes, int], rank: int) -> Pair:
    """The pair of lower-ranked tokens whose merge produced ``token``."""
    ids = _bpe_by_ranks(token, ranks, max_rank=rank)
    if len(ids) != 2:
        raise ValueError(f"token {token!r} (rank {rank}) is not a merge of two earlier tokens")
    return ids[0], ids[1]
