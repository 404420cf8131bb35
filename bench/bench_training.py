"""Benchmark the live training demos: pre-training speed and time to English-like text, SFT and DPO steps,
and how the other widgets answer while two runs train.

"English-like" is measured, not judged (app.lm.pretrain.is_english_like): a sample of at least 8 words
counts once 85% of its words are words of the training text, 30% of its pairs of neighbouring words occur
there too (pairs of two very common words left out), and 70% of its characters are letters. The bench
also reports when the validation loss first falls under the unigram baseline.
Targets: each demo under a minute on 2 CPU cores; the p95 latency of GET /playground/attention and
POST /api/next-token with two runs training within 20% of the idle p95.
Run alone with `python -m bench bench_training`; `--quick` shortens it.
"""

import copy
import json
import sys
import tempfile
import threading
import time
from dataclasses import replace
from pathlib import Path

import httpx
from bs4 import BeautifulSoup

from app.config import Settings
from app.labmodel.service import load_model
from app.lessons.content import load_course
from app.lm.dpo import DpoConfig, DpoStep, direct_preference_optimization
from app.lm.live import RunEnd, TrainStep
from app.lm.pretrain import (
    PretrainConfig,
    PretrainStart,
    Sample,
    Validation,
    prepare_data,
    pretrain,
)
from app.lm.sft import SftConfig, supervised_finetune
from app.quiz.bank import load_question_bank
from app.training.content import load_training_content
from app.training.service import corpus_documents
from bench.server import Connection, start_server
from bench.stats import report, summary

PAGE_REQUESTS = 150


def bench_pretraining(results: dict, seconds: float) -> None:
    """One default live pre-training run in this process: tokens/s, time to beat unigram and to English."""
    settings = Settings()
    course = load_course(settings.content_dir)
    bank = load_question_bank(settings.content_dir / "questions", course)
    tokenizer = load_model(settings.model_dir).tokenizer
    data = prepare_data(tokenizer, corpus_documents(course, bank))
    config = PretrainConfig(max_seconds=seconds)
    clock, beat, english, end, unigram = 0.0, None, None, None, 0.0
    for event in pretrain(tokenizer, data, config):
        if isinstance(event, PretrainStart):
            unigram = event.unigram_loss
        elif isinstance(event, TrainStep):
            clock = event.seconds
        elif isinstance(event, Validation) and beat is None and event.val_loss < unigram:
            beat = (event.step, clock)
        elif isinstance(event, Sample) and english is None and event.english_like:
            english = (event.step, clock, event.text)
        elif isinstance(event, RunEnd):
            end = event
    results["pretrain"] = {
        "tokens_per_second": end.tokens_per_second,
        "steps": end.steps,
        "seconds": end.seconds,
        "beat_unigram": beat,
        "english_like": english,
    }
    label = "training: pre-training tokens/s (wall clock, 1 thread)"
    print(f"{label:<58} {end.tokens_per_second:8,.0f} tokens/s")
    print(f"{'training: pre-training run':<58} {end.steps} steps in {end.seconds:.1f} s ({end.reason})")
    marks = (("validation loss under the unigram baseline", beat), ("first English-like sample", english))
    for label, mark in marks:
        text = f"step {mark[0]} at {mark[1]:.1f} s" if mark else f"not within {seconds:g} s"
        print(f"{'training: ' + label:<58} {text}")
    if english:
        print(f"{'':<58} {english[2]!r}")


def step_times(events, kind: type) -> tuple[list[float], RunEnd]:
    """Milliseconds between consecutive steps of a run that asks no question in between, and its end."""
    times, last, end = [], None, None
    for event in events:
        if isinstance(event, kind):
            if last is not None:
                times.append((event.seconds - last) * 1000)
            last = event.seconds
        elif isinstance(event, RunEnd):
            end = event
    return times, end


def bench_finetuning(results: dict, quick: bool) -> None:
    """SFT and DPO step times on copies of the lab model, and each demo's default run end to end."""
    settings = Settings()
    lab = load_model(settings.model_dir)
    content = load_training_content(settings.content_dir)
    question = content.held_out[0]
    sft = SftConfig(steps=8 if quick else SftConfig.steps)
    quiet = replace(sft, answer_every=10_000)  # no answers between steps: the gaps are pure step time
    events = supervised_finetune(
        copy.deepcopy(lab.model), lab.tokenizer, content.sft_pairs, quiet, question=question
    )
    times, _ = step_times(events, TrainStep)
    results["sft_step"] = summary(times)
    report(f"training: SFT step (batch {sft.batch_size} pairs, 2.6 M params)", results["sft_step"])

    started = time.perf_counter()
    policy = copy.deepcopy(lab.model)
    sft_phase = SftConfig(steps=8 if quick else 20, max_seconds=20)
    for _ in supervised_finetune(policy, lab.tokenizer, content.sft_pairs, sft_phase, question=question):
        pass
    reference = copy.deepcopy(policy).eval()
    reference.requires_grad_(False)
    dpo = DpoConfig(steps=6 if quick else DpoConfig.steps)
    pairs = content.preferences
    events = direct_preference_optimization(policy, reference, lab.tokenizer, pairs, dpo, question=question)
    times, end = step_times(events, DpoStep)
    results["dpo_step"] = summary(times)
    results["dpo_demo_seconds"] = time.perf_counter() - started
    report(f"training: DPO step ({len(content.preferences)} pairs, all in each step)", results["dpo_step"])
    print(f"{'training: DPO demo (SFT phase + DPO), end to end':<58} {results['dpo_demo_seconds']:.1f} s")

    started = time.perf_counter()
    for _ in supervised_finetune(
        copy.deepcopy(lab.model), lab.tokenizer, content.sft_pairs, sft, question=question
    ):
        pass
    results["sft_demo_seconds"] = time.perf_counter() - started
    label = f"training: SFT demo ({sft.steps} steps, answers every 10), end to end"
    print(f"{label:<58} {results['sft_demo_seconds']:.1f} s")


def _learner(url: str) -> tuple[httpx.Client, str]:
    client = httpx.Client(base_url=url, timeout=60)
    doc = BeautifulSoup(client.get("/playground/training").text, "html.parser")
    return client, json.loads(doc.body["hx-headers"])["X-CSRF-Token"]


def _follow(
    client: httpx.Client, token: str, ready: threading.Barrier, stop: threading.Event, updates: list
) -> None:
    """Start a long pre-training run as one learner and read its stream until told to stop."""
    form = {"steps": "5000", "seconds": "600", "learning_rate": "0.01", "seed": "1"}
    panel = client.post("/playground/training/runs/pretrain", data=form, headers={"X-CSRF-Token": token})
    url = BeautifulSoup(panel.text, "html.parser").select_one(".training-run")["data-training-stream"]
    with client.stream("GET", url) as stream:
        lines = stream.iter_lines()
        while not next(lines).startswith("event: progress"):
            pass
        ready.wait()
        for line in lines:
            updates.append(line.startswith("event: progress"))
            if stop.is_set():
                break  # closing the stream cancels the run


def _widget_latency(url: str, label: str) -> dict:
    conn = Connection(url)
    counter = iter(range(1_000_000))
    page_ms, api_ms = [], []
    try:
        for _ in range(PAGE_REQUESTS):
            start = time.perf_counter()
            assert conn.get("/playground/attention")[0] == 200
            page_ms.append((time.perf_counter() - start) * 1000)
            body = json.dumps({"prompt": f"The old man walked {next(counter)}"}).encode()
            start = time.perf_counter()
            assert conn.post("/api/next-token", body, {"Content-Type": "application/json"})[0] == 200
            api_ms.append((time.perf_counter() - start) * 1000)
    finally:
        conn.close()
    stats = {"attention_page": summary(page_ms), "next_token": summary(api_ms)}
    report(f"training: GET /playground/attention, {label}", stats["attention_page"])
    report(f"training: POST /api/next-token (new prompt), {label}", stats["next_token"])
    return stats


def bench_widgets_while_training(results: dict) -> None:
    """The other widgets' latency idle, then with two pre-training runs streaming from two learners."""
    with tempfile.TemporaryDirectory() as folder:
        server, url = start_server(Path(folder))
        try:
            _widget_latency(url, "warm-up")
            idle = _widget_latency(url, "idle")
            ready, stop = threading.Barrier(3), threading.Event()
            learners = [_learner(url) for _ in range(2)]
            streamed: list[list] = [[], []]
            threads = [
                threading.Thread(target=_follow, args=(client, token, ready, stop, updates), daemon=True)
                for (client, token), updates in zip(learners, streamed, strict=True)
            ]
            for thread in threads:
                thread.start()
            ready.wait(timeout=120)
            busy = _widget_latency(url, "two runs training")
            updates = [sum(u) for u in streamed]
            print(f"{'training: updates each run streamed meanwhile':<58} {updates[0]} and {updates[1]}")
            stop.set()
            for thread in threads:
                thread.join(timeout=30)
            for client, _ in learners:
                client.close()
        finally:
            server.terminate()
            server.wait(timeout=10)
    results["widgets_idle"], results["widgets_busy"] = idle, busy
    for key, label in (
        ("attention_page", "GET /playground/attention"),
        ("next_token", "POST /api/next-token"),
    ):
        ratio = busy[key]["p95_ms"] / idle[key]["p95_ms"]
        verdict = "met" if ratio <= 1.2 else "MISSED"
        print(f"target: {label} p95 with two runs within 20% of idle: x{ratio:.2f} ({verdict})")


def main(quick: bool = False) -> dict:
    """Print and return every measurement."""
    results: dict = {}
    bench_widgets_while_training(results)  # first: nothing else of this process competes for the cores
    bench_pretraining(results, seconds=10 if quick else PretrainConfig.max_seconds)
    bench_finetuning(results, quick)
    return results


if __name__ == "__main__":
    main(quick="--quick" in sys.argv)
