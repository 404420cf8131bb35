"""The training command end to end on a tiny corpus, and its small pure helpers."""

import math

import pytest
import torch

from app.lm import train
from app.lm.checkpoint import load_lab_model
from app.lm.evaluate import eval_targets, eval_windows, mean_nll, unigram_nll


def test_lr_schedule_warms_up_then_decays_to_the_floor():
    recipe = train.Recipe(learning_rate=2e-3, warmup_steps=100, min_lr_ratio=0.1)
    assert math.isclose(train.lr_at(49, recipe, 1000), 1e-3)
    assert math.isclose(train.lr_at(99, recipe, 1000), 2e-3)
    assert math.isclose(train.lr_at(550, recipe, 1000), 1.1e-3)  # half way down the cosine
    assert math.isclose(train.lr_at(1000, recipe, 1000), 2e-4)


def test_unigram_baseline_is_add_one_smoothed():
    train_tokens = torch.tensor([0, 0, 1])  # counts 2, 1, 0 -> smoothed 3, 2, 1 over 6
    assert math.isclose(unigram_nll(train_tokens, torch.tensor([2]), 3), math.log(6))
    assert math.isclose(
        unigram_nll(train_tokens, torch.tensor([0, 1]), 3), -(math.log(0.5) + math.log(1 / 3)) / 2
    )


def test_eval_windows_score_every_token_but_the_first(tiny_model):
    data = torch.arange(70) % tiny_model.config.vocab_size
    starts = eval_windows(data, 32)
    assert starts == [0, 32, 64]
    assert torch.equal(eval_targets(data, starts, 32), data[1:])
    _, count = mean_nll(tiny_model, data, starts, 32)
    assert count == 69


def test_batches_come_from_a_cpu_generator():
    data = torch.arange(1000)
    a = train.get_batch(data, 4, 8, torch.Generator().manual_seed(1))
    b = train.get_batch(data, 4, 8, torch.Generator().manual_seed(1))
    assert torch.equal(a[0], b[0]) and torch.equal(a[1], a[0] + 1)


@pytest.mark.filterwarnings("ignore::UserWarning")
def test_train_command_end_to_end(tmp_path, fake_brown_tgz, lessons_dir):
    from app.lm import corpus

    corpus.prepare_corpus(tmp_path / "corpus", lessons_dir, brown_tgz=fake_brown_tgz)
    out = tmp_path / "model"
    args = train.build_parser().parse_args(
        ["--corpus-dir", str(tmp_path / "corpus"), "--out", str(out), "--steps", "3", "--batch-size", "2"]
    )
    args.no_progress = True
    card = train.run(args)
    loaded = load_lab_model(out)
    assert loaded.card["training"]["steps"] == 3
    assert loaded.card["training"]["tokens_seen"] == 3 * 2 * loaded.config.context_length
    for key in ("val_loss", "val_perplexity", "unigram_perplexity"):
        assert math.isfinite(card["evaluation"][key])
    assert card["data"]["sha256"] == corpus.data_sha256(tmp_path / "corpus")
    assert card["parameters"] == loaded.model.num_params()
    assert (out / "card.md").read_text().startswith("## Model card")
    assert loaded.card["tokenizer"] == card["tokenizer"]  # the sha256 card.md shows is the one saved
    assert f"| Tokenizer sha256 | `{card['tokenizer']['sha256']}`" in (out / "card.md").read_text()
    assert loaded.tokenizer.vocab_size == loaded.config.vocab_size
