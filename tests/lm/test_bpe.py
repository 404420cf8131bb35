"""Byte-level BPE: helpers, trainers, the widget's step API, and the tiktoken rank format."""

import pytest
import tiktoken.load

from app.lm.bpe import (
    MAX_STEP_MERGES,
    BytePairEncoding,
    Merge,
    TextTrainer,
    get_pair_counts,
    merge,
    parse_tiktoken_ranks,
    read_tiktoken_ranks,
    split_text,
    tiktoken_rank_bytes,
    train_bpe,
    train_bpe_naive,
    train_steps,
    train_to_merge,
)

from .conftest import SAMPLE_TEXT

ODD_TEXT = "Hello, world! 123456 don't WE'LL   spaces\n\n\ttabs ☃ 👩‍👩‍👧 مرحبا e\u0301 こんにちは \x00 end"


def test_get_pair_counts_worked_example():
    assert get_pair_counts([1, 2, 3, 1, 2]) == {(1, 2): 2, (2, 3): 1, (3, 1): 1}


def test_get_pair_counts_adds_weighted_into_existing_counts():
    counts = {(1, 2): 1}
    assert get_pair_counts([1, 2], counts, weight=3) == {(1, 2): 4}


@pytest.mark.parametrize(
    ("ids", "pair", "new_id", "expected"),
    [
        ([1, 2, 3, 1, 2], (1, 2), 4, [4, 3, 4]),
        ([1, 1, 1], (1, 1), 9, [9, 1]),  # left to right, no overlap
        ([1, 1, 1, 1], (1, 1), 9, [9, 9]),
        ([5], (1, 2), 9, [5]),
        ([], (1, 2), 9, []),
    ],
)
def test_merge(ids, pair, new_id, expected):
    assert merge(ids, pair, new_id) == expected


def test_wikipedia_worked_example():
    """aaabdaaabac: aa -> Z, ab -> Y, ZY -> X (ties go to the lower pair)."""
    bpe = train_bpe(["aaabdaaabac"], 259, pattern=None)
    a, b = ord("a"), ord("b")
    assert list(bpe.merges.items()) == [((a, a), 256), ((a, b), 257), ((256, 257), 258)]
    assert bpe.vocab[258] == b"aaab"
    assert bpe.encode("aaabdaaabac") == [258, ord("d"), 258, a, ord("c")]


def test_split_pattern_keeps_spaces_with_words_and_groups_digits():
    assert split_text("Hello world!! 123456 don't") == [
        "Hello",
        " world",
        "!!",
        " ",
        "123",
        "456",
        " don",
        "'t",
    ]


def test_incremental_trainer_matches_naive_recount():
    fast = train_bpe([SAMPLE_TEXT], 256 + 120)
    slow = train_bpe_naive([SAMPLE_TEXT], 256 + 120)
    assert list(fast.merges.items()) == list(slow.merges.items())


def test_trainer_never_creates_duplicate_token_bytes():
    vocab = train_bpe([SAMPLE_TEXT * 2, "abcabcbcbcabab" * 5], 256 + 150).vocab
    assert len(set(vocab.values())) == len(vocab)


def test_trainer_stops_when_nothing_is_left_to_merge():
    bpe = train_bpe(["abab"], 1000, pattern=None)
    assert bpe.vocab[max(bpe.vocab)] == b"abab"


def test_train_steps_worked_example():
    steps = list(train_steps("aaabdaaabac", 3, pattern=None))
    first = steps[0]
    assert (first.index, first.pair, first.pair_bytes, first.count) == (0, (97, 97), (b"a", b"a"), 4)
    assert (first.new_id, first.new_bytes) == (256, b"aa")
    assert first.segmentation == [b"aa", b"a", b"b", b"d", b"aa", b"a", b"b", b"a", b"c"]
    assert steps[2].segmentation == [b"aaab", b"d", b"aaab", b"a", b"c"]
    assert [s.count for s in steps] == [4, 2, 2]


def test_train_steps_segmentation_always_spells_the_text():
    text = "the theme of the thesis: then, there; these 12345"
    lengths = []
    for step in train_steps(text, 40):
        assert b"".join(step.segmentation) == text.encode()
        assert step.new_bytes == step.pair_bytes[0] + step.pair_bytes[1]
        lengths.append(len(step.segmentation))
    assert lengths == sorted(lengths, reverse=True) and len(set(lengths)) == len(lengths)


def test_train_steps_count_is_the_pair_count_before_the_merge():
    text = "low lower lowest newer wider"
    chunks = [[bytes([b]) for b in c.encode()] for c in split_text(text)]
    for step in train_steps(text, 10):
        pairs: dict[tuple[bytes, bytes], int] = {}
        for chunk in chunks:
            for pair in zip(chunk, chunk[1:], strict=False):
                pairs[pair] = pairs.get(pair, 0) + 1
        assert pairs[step.pair_bytes] == step.count == max(pairs.values())
        chunks = [_merge_bytes(chunk, step.pair_bytes) for chunk in chunks]
        segmentation = [b for chunk in chunks for b in chunk]
        assert segmentation == step.segmentation


def _merge_bytes(chunk: list[bytes], pair: tuple[bytes, bytes]) -> list[bytes]:
    out, i = [], 0
    while i < len(chunk):
        if i + 1 < len(chunk) and (chunk[i], chunk[i + 1]) == pair:
            out.append(chunk[i] + chunk[i + 1])
            i += 2
        else:
            out.append(chunk[i])
            i += 1
    return out


@pytest.mark.parametrize("num_merges", [-1, MAX_STEP_MERGES + 1])
def test_train_steps_rejects_out_of_range_merge_counts(num_merges):
    with pytest.raises(ValueError, match="num_merges"):
        list(train_steps("abc", num_merges))


def test_train_steps_accepts_the_cap_and_zero():
    assert list(train_steps("abc", 0)) == []
    assert len(list(train_steps("ab ab ab", MAX_STEP_MERGES))) == 2  # stops early: "ab", " ab"


def test_pure_python_encoder_matches_tiktoken():
    bpe = train_bpe([SAMPLE_TEXT], 256 + 100)
    encoding = bpe.to_encoding("test")
    for text in (SAMPLE_TEXT, ODD_TEXT, "", " ", "    ", "\n\n\n"):
        assert bpe.encode(text) == encoding.encode_ordinary(text)
        assert bpe.decode_bytes(bpe.encode(text)) == text.encode()


def test_tiktoken_rank_file_round_trip(tmp_path):
    bpe = train_bpe([SAMPLE_TEXT], 256 + 100)
    path = tmp_path / "test.tiktoken"
    bpe.save_tiktoken(path)
    first = path.read_text().splitlines()[0]
    assert first == "AA== 0"  # base64 of byte 0, rank 0
    loaded = BytePairEncoding.load_tiktoken(path)
    assert list(loaded.merges.items()) == list(bpe.merges.items())
    assert loaded.ranks() == bpe.ranks()
    assert tiktoken.load.load_tiktoken_bpe(str(path)) == bpe.ranks()  # tiktoken's own reader agrees
    assert loaded.to_encoding("a").encode_ordinary(ODD_TEXT) == bpe.to_encoding("b").encode_ordinary(ODD_TEXT)


def test_rank_file_errors_name_the_line(tmp_path):
    path = tmp_path / "bad.tiktoken"
    path.write_text("AA== 0\nnot-base64-and-no-rank\n")
    with pytest.raises(ValueError, match=r"bad\.tiktoken:2"):
        read_tiktoken_ranks(path)


@pytest.mark.parametrize("num_merges", [0, 1, 7, 40])
def test_train_to_merge_is_the_last_step_of_train_steps(num_merges):
    text = SAMPLE_TEXT[:600]
    steps = list(train_steps(text, num_merges))
    merges, segmentation = train_to_merge(text, num_merges)
    assert merges == [Merge(**{k: v for k, v in vars(s).items() if k != "segmentation"}) for s in steps]
    assert segmentation == (steps[-1].segmentation if steps else [bytes([b]) for b in text.encode()])


def test_text_trainer_segments_only_when_asked():
    trainer = TextTrainer("aaabdaaabac", pattern=None)
    assert [trainer.merge_next().new_bytes for _ in range(3)] == [b"aa", b"ab", b"aaab"]
    assert trainer.segmentation() == [b"aaab", b"d", b"aaab", b"a", b"c"]
    assert trainer.merge_next() is not None and len(trainer.merges) == 4


def test_rank_file_contents_parse_back():
    ranks = {b"a": 0, b"\xff\x00": 1, b" the": 2}
    data = tiktoken_rank_bytes(ranks)
    assert parse_tiktoken_ranks(data, source="mem") == ranks
    with pytest.raises(ValueError, match=r"mem:2: expected 'base64 rank'"):
        parse_tiktoken_ranks(b"YQ== 0\n\xff\xfe 1\n", source="mem")
    with pytest.raises(ValueError, match=r"mem:2: token b'a' appears twice"):
        parse_tiktoken_ranks(b"YQ== 0\nYQ== 1\n", source="mem")
