"""Checkpoint folders: round trip, and every kind of mismatch refused with a clear message."""

import hashlib
import json

import pytest
import torch
from safetensors.torch import load_file, save_file

from app.lm.checkpoint import (
    CARD_FILE,
    TOKENIZER_FILE,
    WEIGHTS_FILE,
    CheckpointError,
    load_lab_model,
    load_unigram_counts,
    save_checkpoint,
    tokenizer_card,
)
from app.lm.model import GPT


@pytest.fixture
def saved(tmp_path, tiny_model, tokenizer):
    """A checkpoint of the tiny model written under tmp_path."""
    counts = torch.arange(tokenizer.vocab_size)
    save_checkpoint(tmp_path / "ckpt", tiny_model, tokenizer, {"name": "tiny"}, "# card\n", counts)
    return tmp_path / "ckpt"


def test_round_trip(saved, tiny_model, tokenizer):
    loaded = load_lab_model(saved)
    assert not loaded.model.training
    assert loaded.config == tiny_model.config
    assert loaded.card["name"] == "tiny"
    assert loaded.tokenizer.encode("The cat sat.") == tokenizer.encode("The cat sat.")
    x = torch.tensor([tokenizer.encode("The cat sat on the mat.")])
    with torch.no_grad():
        assert torch.equal(loaded.model(x)[0], tiny_model(x)[0])
    assert loaded.model.lm_head.weight is loaded.model.transformer.wte.weight
    assert load_unigram_counts(saved, tokenizer.vocab_size).tolist() == list(range(tokenizer.vocab_size))
    assert (saved / "card.md").read_text() == "# card\n"


def test_weights_are_plain_safetensors_without_the_tied_copy(saved):
    names = set(load_file(str(saved / WEIGHTS_FILE)))
    assert "transformer.wte.weight" in names and "lm_head.weight" not in names


def _edit_card(folder, **config_changes):
    card = json.loads((folder / CARD_FILE).read_text())
    card["config"].update(config_changes)
    (folder / CARD_FILE).write_text(json.dumps(card))


def test_config_shape_mismatch_is_refused(saved):
    _edit_card(saved, n_embd=32)
    with pytest.raises(CheckpointError, match=r"model\.safetensors.*shape"):
        load_lab_model(saved)


def test_layer_count_mismatch_names_missing_tensors(saved):
    _edit_card(saved, n_layer=3)
    with pytest.raises(CheckpointError, match=r"model\.safetensors.*missing \['transformer\.h\.2"):
        load_lab_model(saved)


def test_vocab_mismatch_with_tokenizer_is_refused(saved):
    _edit_card(saved, vocab_size=999)
    with pytest.raises(CheckpointError, match=r"tokenizer\.tiktoken.*999"):
        load_lab_model(saved)


def test_truncated_tokenizer_is_refused(saved):
    lines = (saved / TOKENIZER_FILE).read_text().splitlines()
    (saved / TOKENIZER_FILE).write_text("\n".join(lines[:-1]) + "\n")
    with pytest.raises(CheckpointError, match="tokenizer"):
        load_lab_model(saved)


def test_wrong_dtype_is_refused(saved):
    tensors = load_file(str(saved / WEIGHTS_FILE))
    tensors["transformer.ln_f.weight"] = tensors["transformer.ln_f.weight"].half()
    save_file(tensors, str(saved / WEIGHTS_FILE))
    with pytest.raises(CheckpointError, match="ln_f.weight.*float16"):
        load_lab_model(saved)


def test_unexpected_tensor_is_refused(saved):
    tensors = load_file(str(saved / WEIGHTS_FILE))
    tensors["extra.weight"] = torch.zeros(2)
    save_file(tensors, str(saved / WEIGHTS_FILE))
    with pytest.raises(CheckpointError, match=r"unexpected \['extra\.weight'\]"):
        load_lab_model(saved)


def test_non_finite_weights_are_refused(saved):
    tensors = load_file(str(saved / WEIGHTS_FILE))
    tensors["transformer.wpe.weight"][0, 0] = float("nan")
    save_file(tensors, str(saved / WEIGHTS_FILE))
    with pytest.raises(CheckpointError, match="NaN"):
        load_lab_model(saved)


@pytest.mark.parametrize("name", [WEIGHTS_FILE, TOKENIZER_FILE, CARD_FILE])
def test_missing_file_is_named(saved, name):
    (saved / name).unlink()
    with pytest.raises(CheckpointError, match=name.replace(".", r"\.")):
        load_lab_model(saved)


def test_broken_card_json_is_refused(saved):
    (saved / CARD_FILE).write_text("{not json")
    with pytest.raises(CheckpointError, match=r"card\.json.*JSON"):
        load_lab_model(saved)


def test_unknown_config_key_is_refused(saved):
    _edit_card(saved, rope_theta=10000)
    with pytest.raises(CheckpointError, match="rope_theta"):
        load_lab_model(saved)


def test_save_refuses_model_and_tokenizer_that_disagree(tmp_path, tokenizer, tiny_config):
    from dataclasses import replace

    model = GPT(replace(tiny_config, vocab_size=tokenizer.vocab_size + 1))
    with pytest.raises(CheckpointError, match="embedding rows"):
        save_checkpoint(tmp_path, model, tokenizer, {})


def _edit_tokenizer_entry(folder, **changes):
    card = json.loads((folder / CARD_FILE).read_text())
    card["tokenizer"].update(changes)
    (folder / CARD_FILE).write_text(json.dumps(card))


def test_card_records_the_tokenizer_files_sha256(saved, tokenizer):
    entry = json.loads((saved / CARD_FILE).read_text())["tokenizer"]
    assert entry["sha256"] == hashlib.sha256((saved / TOKENIZER_FILE).read_bytes()).hexdigest()
    assert entry == tokenizer_card(tokenizer)  # what the training command puts in card.md beforehand
    assert entry["pattern"] == tokenizer.pattern
    assert entry["special_tokens"] == {"<|endoftext|>": tokenizer.bot_id}


def test_tokenizer_with_two_ranks_swapped_is_refused(saved):
    lines = (saved / TOKENIZER_FILE).read_text().splitlines()
    (a, rank_a), (b, rank_b) = lines[300].split(), lines[301].split()
    lines[300], lines[301] = f"{b} {rank_a}", f"{a} {rank_b}"
    (saved / TOKENIZER_FILE).write_text("\n".join(lines) + "\n")
    with pytest.raises(
        CheckpointError, match=r"tokenizer\.tiktoken: sha256 is \w+, but \S*card\.json records"
    ):
        load_lab_model(saved)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"pattern": r"\S+|\s+"}, r"card\.json: tokenizer\.pattern is '\\\\S\+\|\\\\s\+', but"),
        (
            {"special_tokens": {"<|endoftext|>": 0}},
            r"card\.json: tokenizer\.special_tokens is \{'<\|endoftext\|>': 0\}",
        ),
        ({"special_tokens": {"<|eot|>": 316}}, r"card\.json: tokenizer\.special_tokens"),
        ({"vocab_size": 4096}, r"card\.json: tokenizer\.vocab_size is 4096, but .* has 317"),
        ({"sha256": "0" * 64}, r"tokenizer\.tiktoken: sha256 is \w+, but \S*card\.json records 0000"),
        ({"file": "other.tiktoken"}, r"card\.json: tokenizer\.file is 'other\.tiktoken'"),
    ],
    ids=["pattern", "special id", "special name", "vocab size", "sha256", "file"],
)
def test_tokenizer_entry_that_differs_is_refused(saved, changes, message):
    _edit_tokenizer_entry(saved, **changes)
    with pytest.raises(CheckpointError, match=message):
        load_lab_model(saved)


@pytest.mark.parametrize(
    "tokenizer_entry",
    ["lab-bpe-4k", None, [], {"name": "x"}, "missing"],
    ids=["string", "null", "list", "incomplete", "missing"],
)
def test_tokenizer_entry_of_the_wrong_shape_is_a_checkpoint_error(saved, tokenizer_entry):
    card = json.loads((saved / CARD_FILE).read_text())
    if tokenizer_entry == "missing":
        del card["tokenizer"]
    else:
        card["tokenizer"] = tokenizer_entry
    (saved / CARD_FILE).write_text(json.dumps(card))
    with pytest.raises(CheckpointError, match=r"card\.json: .*tokenizer"):
        load_lab_model(saved)


@pytest.mark.parametrize(
    ("key", "value"), [("sha256", 5), ("vocab_size", "317"), ("pattern", None), ("name", True)]
)
def test_tokenizer_entry_types_are_checked(saved, key, value):
    _edit_tokenizer_entry(saved, **{key: value})
    with pytest.raises(CheckpointError, match=rf"card\.json: tokenizer\.{key} must be a JSON"):
        load_lab_model(saved)


def test_card_that_is_not_an_object_is_refused(saved):
    (saved / CARD_FILE).write_text("[1, 2]")
    with pytest.raises(CheckpointError, match=r"card\.json: expected a JSON object"):
        load_lab_model(saved)
