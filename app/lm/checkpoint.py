"""Save and load a lab checkpoint folder: ``model.safetensors``, ``tokenizer.tiktoken``, ``card.json``.

Loading checks everything it can before it trusts the files: the config in card.json, the tensor
names and shapes in the safetensors file against the model that config builds, the dtype, the
embedding rows against the tokenizer's vocabulary, and the tokenizer file's sha256, split pattern and
special tokens against the ones card.json recorded when the weights were saved. Any mismatch is a
``CheckpointError`` that names the file and what differs. Weights are safetensors (no pickle): loading
runs no code.
"""

from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

import torch
from safetensors import safe_open
from safetensors.torch import save_file

from .model import GPT, GPTConfig
from .tokenizer import LabTokenizer

logger = logging.getLogger(__name__)

WEIGHTS_FILE = "model.safetensors"
TOKENIZER_FILE = "tokenizer.tiktoken"
CARD_FILE = "card.json"
CARD_MD_FILE = "card.md"
# Training-split token counts: the unigram baseline, kept so any text can be compared against it.
UNIGRAM_FILE = "unigram.json"
# Tied to the token embedding, so saving it again would only duplicate transformer.wte.weight.
TIED_KEYS = ("lm_head.weight",)


class CheckpointError(Exception):
    """A checkpoint folder is missing a file or does not match its own description."""


@dataclass
class LabModel:
    """A loaded checkpoint: the model (eval mode), its tokenizer and its card."""

    model: GPT
    tokenizer: LabTokenizer
    card: dict[str, Any]
    path: Path

    @property
    def config(self) -> GPTConfig:
        """The model's shape."""
        return self.model.config


def tokenizer_card(tokenizer: LabTokenizer) -> dict[str, Any]:
    """card.json's ``tokenizer`` entry for this tokenizer, sha256 included (what save_checkpoint writes)."""
    return tokenizer.card_entry(
        file=TOKENIZER_FILE, sha256=hashlib.sha256(tokenizer.rank_file_bytes()).hexdigest()
    )


def _state_to_save(model: GPT) -> dict[str, torch.Tensor]:
    return {
        name: tensor.detach().to("cpu", torch.float32).contiguous()
        for name, tensor in model.state_dict().items()
        if name not in TIED_KEYS
    }


def save_checkpoint(
    out_dir: str | Path,
    model: GPT,
    tokenizer: LabTokenizer,
    card: dict[str, Any],
    card_md: str | None = None,
    unigram_counts: torch.Tensor | None = None,
) -> Path:
    """Write weights (fp32 safetensors), the tokenizer rank file, card.json, card.md, unigram."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    if model.config.vocab_size != tokenizer.vocab_size:
        raise CheckpointError(
            f"model has {model.config.vocab_size} embedding rows, tokenizer {tokenizer.vocab_size} ids"
        )
    save_file(_state_to_save(model), str(out / WEIGHTS_FILE), metadata={"format": "pt"})
    (out / WEIGHTS_FILE).chmod(0o644)  # safetensors writes 0600; the web app may run as another user
    (out / TOKENIZER_FILE).write_bytes(tokenizer.rank_file_bytes())
    full_card = {
        **card,
        "config": model.config.to_dict(),
        "tokenizer": tokenizer_card(tokenizer),
        "weights": {"file": WEIGHTS_FILE, "dtype": "float32", "tied": list(TIED_KEYS)},
    }
    (out / CARD_FILE).write_text(json.dumps(full_card, indent=2) + "\n", encoding="utf-8")
    if card_md is not None:
        (out / CARD_MD_FILE).write_text(card_md, encoding="utf-8")
    if unigram_counts is not None:
        payload = {"smoothing": "add-one", "counts": [int(c) for c in unigram_counts.tolist()]}
        (out / UNIGRAM_FILE).write_text(json.dumps(payload) + "\n", encoding="utf-8")
    return out


def load_unigram_counts(path: str | Path, vocab_size: int) -> torch.Tensor:
    """Training-split token counts saved beside a checkpoint (for the unigram baseline)."""
    file = Path(path) / UNIGRAM_FILE
    if not file.is_file():
        raise CheckpointError(f"{file}: file missing from the checkpoint folder")
    counts = json.loads(file.read_text(encoding="utf-8")).get("counts")
    if not isinstance(counts, list) or len(counts) != vocab_size:
        raise CheckpointError(f"{file}: expected {vocab_size} counts")
    return torch.tensor(counts, dtype=torch.long)


def _read_card(path: Path) -> tuple[dict[str, Any], GPTConfig]:
    card_path = path / CARD_FILE
    try:
        card = json.loads(card_path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise CheckpointError(f"{card_path}: not valid JSON ({exc})") from exc
    if not isinstance(card, dict):
        raise CheckpointError(f"{card_path}: expected a JSON object, got {type(card).__name__}")
    raw = card.get("config")
    if not isinstance(raw, dict):
        raise CheckpointError(f"{card_path}: no 'config' object")
    known = {f.name for f in fields(GPTConfig)}
    unknown = sorted(set(raw) - known)
    missing = sorted(known - set(raw) - {"dropout"})
    if unknown or missing:
        raise CheckpointError(
            f"{card_path}: config keys differ from GPTConfig (unknown {unknown}, missing {missing})"
        )
    try:
        config = GPTConfig(**raw)
    except (TypeError, ValueError) as exc:
        raise CheckpointError(f"{card_path}: invalid config ({exc})") from exc
    return card, config


def _check_tensors(weights_path: Path, expected: dict[str, torch.Size]) -> dict[str, torch.Tensor]:
    """Read every tensor, failing on any name, shape, dtype or finiteness difference."""
    try:
        with safe_open(str(weights_path), framework="pt") as f:
            tensors = {name: f.get_tensor(name) for name in f.keys()}
    except Exception as exc:  # safetensors raises its own error types for a damaged header
        raise CheckpointError(f"{weights_path}: cannot read safetensors ({exc})") from exc
    missing = sorted(set(expected) - set(tensors))
    unexpected = sorted(set(tensors) - set(expected))
    if missing or unexpected:
        raise CheckpointError(
            f"{weights_path}: tensor names differ from card.json's config "
            f"(missing {missing[:5]}{'...' if len(missing) > 5 else ''}, "
            f"unexpected {unexpected[:5]}{'...' if len(unexpected) > 5 else ''})"
        )
    for name, shape in expected.items():
        tensor = tensors[name]
        if tensor.shape != shape:
            raise CheckpointError(
                f"{weights_path}: {name} has shape {tuple(tensor.shape)}, card.json's config "
                f"needs {tuple(shape)}"
            )
        if tensor.dtype != torch.float32:
            raise CheckpointError(f"{weights_path}: {name} is {tensor.dtype}, expected float32")
        if not torch.isfinite(tensor).all():
            raise CheckpointError(f"{weights_path}: {name} holds NaN or infinite values")
    return tensors


def load_lab_model(path: str | Path, device: str | torch.device = "cpu") -> LabModel:
    """Load and verify a checkpoint folder; the model comes back in eval mode."""
    path = Path(path)
    for name in (CARD_FILE, WEIGHTS_FILE, TOKENIZER_FILE):
        if not (path / name).is_file():
            raise CheckpointError(f"{path / name}: file missing from the checkpoint folder")
    card, config = _read_card(path)
    try:  # the rank file's sha256, split pattern and special tokens must be the ones the card records
        tokenizer = LabTokenizer.from_card(path / TOKENIZER_FILE, card, card_path=path / CARD_FILE)
    except ValueError as exc:
        raise CheckpointError(str(exc)) from exc
    if tokenizer.vocab_size != config.vocab_size:
        raise CheckpointError(
            f"{path / TOKENIZER_FILE}: tokenizer has {tokenizer.vocab_size} ids but card.json's "
            f"config (and the embedding) has vocab_size {config.vocab_size}"
        )
    model = GPT(config)
    expected = {n: t.shape for n, t in model.state_dict().items() if n not in TIED_KEYS}
    tensors = _check_tensors(path / WEIGHTS_FILE, expected)
    rows = tensors["transformer.wte.weight"].shape[0]
    if rows != tokenizer.vocab_size:  # already implied above; kept as the explicit contract
        raise CheckpointError(
            f"{path / WEIGHTS_FILE}: {rows} embedding rows but {tokenizer.vocab_size} token ids"
        )
    tensors["lm_head.weight"] = tensors["transformer.wte.weight"]  # tied: one tensor, two names
    model.load_state_dict(tensors, strict=True)
    model.to(device).eval()
    logger.info("loaded %s (%d parameters)", path, model.num_params())
    return LabModel(model=model, tokenizer=tokenizer, card=card, path=path)
