"""Encodings load once, offline, only from files whose sha256 is the one tiktoken pins."""

import gzip
import shutil
from pathlib import Path

import pytest
from tiktoken_ext import openai_public

from app.config import Settings
from app.main import StartupError, create_app
from app.tokenizer.encodings import (
    OPENAI_SHA256,
    EncodingFileError,
    default_encodings_dir,
    load_encodings,
    load_openai_encoding,
)


@pytest.fixture
def encodings_copy(tmp_path: Path) -> Path:
    """A writable copy of the shipped rank files."""
    folder = tmp_path / "encodings"
    shutil.copytree(default_encodings_dir(), folder)
    return folder


def test_registry_has_the_openai_encodings_and_the_lab_bpe_named_by_its_card(app):
    registry = app.state.encodings
    # The test checkpoint (tests/conftest.py) ships a tokenizer.tiktoken; its card names it "tiny-bpe".
    assert registry.names == ["cl100k_base", "o200k_base", "tiny-bpe"]
    lab = registry.get("tiny-bpe")
    assert lab.encoding.decode(lab.encode("the cat", allow_special=False)) == "the cat"


def test_without_a_lab_tokenizer_file_only_openai_encodings(settings, tmp_path):
    registry = load_encodings(settings.model_copy(update={"model_dir": tmp_path / "no-model"}))
    assert registry.names == ["cl100k_base", "o200k_base"]


def test_tiktoken_pins_the_hashes_the_lab_checks():
    """The constructors in tiktoken_ext ask for exactly these sha256s (captured, never downloaded)."""
    asked = {}

    def record(url, expected_hash=None):
        asked[url.rsplit("/", 1)[-1]] = expected_hash
        return {}

    original = openai_public.load_tiktoken_bpe
    try:
        openai_public.load_tiktoken_bpe = record
        for name in OPENAI_SHA256:
            getattr(openai_public, name)()
    finally:
        openai_public.load_tiktoken_bpe = original
    assert asked == {f"{name}.tiktoken": sha for name, sha in OPENAI_SHA256.items()}


def test_loading_leaves_tiktoken_untouched(encodings_copy):
    original = openai_public.load_tiktoken_bpe
    encoding = load_openai_encoding("o200k_base", encodings_copy)
    assert openai_public.load_tiktoken_bpe is original
    assert encoding.encode("hello", allow_special=False) == [24912]


def test_chatml_encoding_adds_im_start_and_end(app):
    chat = app.state.encodings.chat
    assert chat.name == "cl100k_im"
    assert chat.special_ids["<|im_start|>"] == 100264 and chat.special_ids["<|im_end|>"] == 100265
    assert "<|im_start|>" not in app.state.encodings.get("cl100k_base").special_ids


@pytest.mark.parametrize(
    "corrupt",
    [
        lambda raw: raw.replace(b" 100\n", b" 101\n", 1),  # one rank changed
        lambda raw: raw[:-10],  # truncated
        lambda raw: raw + b"AA== 999999\n",  # a token added
    ],
    ids=["rank changed", "truncated", "token added"],
)
def test_sha256_mismatch_stops_startup(settings, encodings_copy, corrupt):
    path = encodings_copy / "cl100k_base.tiktoken.gz"
    path.write_bytes(gzip.compress(corrupt(gzip.decompress(path.read_bytes()))))
    with pytest.raises(StartupError, match=r"sha256 .* but tiktoken expects 223921b7") as caught:
        create_app(settings.model_copy(update={"encodings_dir": encodings_copy}))
    assert str(path) in str(caught.value)


def test_not_gzip_or_missing_stops_startup(settings, encodings_copy):
    (encodings_copy / "o200k_base.tiktoken.gz").write_bytes(b"not gzip at all")
    with pytest.raises(StartupError, match="not readable gzip"):
        create_app(settings.model_copy(update={"encodings_dir": encodings_copy}))
    (encodings_copy / "o200k_base.tiktoken.gz").unlink()
    with pytest.raises(EncodingFileError, match="missing"):
        load_encodings(Settings(encodings_dir=encodings_copy))


def test_each_rank_file_is_read_and_parsed_once_with_the_lab_parser(tmp_path, encodings_copy, monkeypatch):
    """cl100k_im reuses cl100k_base's ranks; both rank-file readers share app/lm/bpe.py's parser."""
    from app.tokenizer import encodings

    reads, parses = [], []
    read, parse = encodings.read_rank_file, encodings.parse_tiktoken_ranks
    monkeypatch.setattr(
        encodings, "read_rank_file", lambda path, *, name: reads.append(name) or read(path, name=name)
    )
    monkeypatch.setattr(encodings, "parse_tiktoken_ranks", lambda *a, **k: parses.append(1) or parse(*a, **k))
    registry = load_encodings(Settings(encodings_dir=encodings_copy, model_dir=tmp_path / "no-model"))
    assert sorted(reads) == ["cl100k_base", "o200k_base"] and len(parses) == 2
    assert registry.chat.encode("<|im_start|>hi", allow_special=True) == [100264, 6151]


def test_a_lab_tokenizer_that_is_not_its_cards_stops_loading(tmp_path, tiny_model_dir):
    model_dir = tmp_path / "model"
    shutil.copytree(tiny_model_dir, model_dir)
    ranks = (model_dir / "tokenizer.tiktoken").read_text().splitlines()
    ranks[256], ranks[257] = ranks[257].split()[0] + " 256", ranks[256].split()[0] + " 257"  # two swapped
    (model_dir / "tokenizer.tiktoken").write_text("\n".join(ranks) + "\n")
    with pytest.raises(
        EncodingFileError, match=r"tokenizer\.tiktoken: sha256 is \w+, but \S+card\.json records"
    ):
        load_encodings(Settings(model_dir=model_dir))
    (model_dir / "card.json").unlink()
    with pytest.raises(EncodingFileError, match=r"card\.json"):
        load_encodings(Settings(model_dir=model_dir))


def test_the_lab_file_names_are_the_checkpoints():
    from app.lm.checkpoint import CARD_FILE, TOKENIZER_FILE
    from app.tokenizer.encodings import LAB_CARD_FILE, LAB_TOKENIZER_FILE

    assert (LAB_TOKENIZER_FILE, LAB_CARD_FILE) == (TOKENIZER_FILE, CARD_FILE)


def test_the_python_rank_dicts_are_released_once_the_encodings_are_built(app):
    """tiktoken's Rust core keeps the ranks; the 40 MB of Python dicts beside it are dropped."""
    import pickle

    registry = app.state.encodings
    for encoding in (registry.get("cl100k_base"), registry.get("o200k_base"), registry.chat):
        assert not hasattr(encoding.encoding, "_mergeable_ranks")
        ids = encoding.encode("Tokenization isn't free: 東京 🙂", allow_special=False)
        assert encoding.encoding.decode(ids) == "Tokenization isn't free: 東京 🙂"
        with pytest.raises(AttributeError):  # pickling one would be the only use: it fails loudly
            pickle.dumps(encoding.encoding)
    assert registry.chat.encode("<|im_start|>", allow_special=True) == [100264]
