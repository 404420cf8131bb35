"""The checkpoint shipped in models/lab-small must load and beat the unigram baseline."""

from pathlib import Path

import torch

from app.lm.checkpoint import load_lab_model, load_unigram_counts
from app.lm.evaluate import perplexity, text_nll, unigram_log_probs

SHIPPED = Path(__file__).resolve().parents[2] / "models" / "lab-small"
HELDOUT = Path(__file__).with_name("heldout.txt")


def test_shipped_checkpoint_beats_unigram_on_fresh_text():
    # No skip: the lab ships this checkpoint, so a missing folder is a failure.
    assert SHIPPED.is_dir(), f"{SHIPPED} is missing: train it with `python -m app.lm.train`"
    lab = load_lab_model(SHIPPED)
    text = HELDOUT.read_text(encoding="utf-8")
    nll, targets = text_nll(lab.model, lab.tokenizer, text)
    counts = load_unigram_counts(SHIPPED, lab.tokenizer.vocab_size)
    unigram_nll = float(-unigram_log_probs(counts)[targets].mean())
    model_ppl, unigram_ppl = perplexity(nll), perplexity(unigram_nll)
    assert model_ppl < unigram_ppl, f"model perplexity {model_ppl:.1f} vs unigram {unigram_ppl:.1f}"


def test_shipped_checkpoint_fits_the_lab_budget():
    lab = load_lab_model(SHIPPED)
    size = sum(f.stat().st_size for f in SHIPPED.iterdir() if f.is_file())
    assert size <= 20_000_000
    assert lab.config.context_length >= 128
    assert 2_000_000 <= lab.model.num_params() <= 10_000_000
    assert lab.card["evaluation"]["val_perplexity"] < lab.card["evaluation"]["unigram_perplexity"]
    _, attention = lab.model.forward_with_attention(
        torch.tensor(lab.tokenizer.encode("The cat sat.", bos=True))
    )
    assert attention.shape[:2] == (lab.config.n_layer, lab.config.n_head)


def test_shipped_card_pins_the_tokenizer_file():
    import hashlib
    import json

    card = json.loads((SHIPPED / "card.json").read_text(encoding="utf-8"))
    digest = hashlib.sha256((SHIPPED / "tokenizer.tiktoken").read_bytes()).hexdigest()
    assert card["tokenizer"]["sha256"] == digest
    assert f"| Tokenizer sha256 | `{digest}`" in (SHIPPED / "card.md").read_text(encoding="utf-8")
    assert load_lab_model(SHIPPED).tokenizer.name == card["tokenizer"]["name"] == "lab-bpe-4k"
