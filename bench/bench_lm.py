"""Benchmark the lab's language model: checkpoint load, attention forward passes, generation speed.

Targets on 2 CPU cores: forward with attention at 64 tokens under 10 ms median; load under 1 s.
Run alone with `python -m bench bench_lm`, or `python -m bench.bench_lm [CHECKPOINT]`.
"""

import sys
import time
from pathlib import Path

import torch

from app.lm.checkpoint import load_lab_model
from app.lm.generate import generate
from app.lm.sampling import SamplingParams
from bench.stats import report, summary, time_ms

CHECKPOINT = Path(__file__).resolve().parents[1] / "models" / "lab-small"
PROMPT = "The jury said that the city"


def main(checkpoint: Path = CHECKPOINT) -> dict:
    """Print and return load time, forward-with-attention latency at 64/128 tokens, tokens/s."""
    results: dict = {"threads": torch.get_num_threads()}
    loads = []
    for _ in range(5):
        start = time.perf_counter()
        lab = load_lab_model(checkpoint)
        loads.append((time.perf_counter() - start) * 1000)
    results["load"] = summary(loads)
    report(f"lm: load checkpoint ({lab.model.num_params():,} params)", results["load"])

    ids = torch.tensor(lab.tokenizer.encode(" ".join([PROMPT] * 40)))
    for length in (64, 128):
        window = ids[:length]
        assert len(window) == length
        stats = time_ms(lambda w=window: lab.model.forward_with_attention(w), repeat=50, warmup=5)
        results[f"forward_attention_{length}"] = stats
        report(f"lm: forward_with_attention, batch 1, {length} tokens", stats)

    runs = []
    for seed in range(3):
        start = time.perf_counter()
        out = generate(lab.model, lab.tokenizer, PROMPT, max_tokens=128, params=SamplingParams(), seed=seed)
        runs.append(len(out.token_ids) / (time.perf_counter() - start))
    results["generate_tokens_per_s"] = sorted(runs)[len(runs) // 2]
    print(f"{'lm: generate 128 tokens (median of 3)':<58} {results['generate_tokens_per_s']:8.1f} tokens/s")
    return results


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else CHECKPOINT)
