"""Streaming text generation with stop sequences, UTF-8 hold-back and prompt truncation.

``stream_generate`` yields one ``GenerationStart``, then one ``TextDelta`` per sampled token, then
one ``GenerationEnd``. Joining every ``TextDelta.text`` gives exactly ``GenerationEnd.text``.

Text is released only when it is final:
- bytes that end in the middle of a UTF-8 character are held back until the character completes
  (never shown as U+FFFD); an incomplete character left when generation ends is dropped;
- text that could be the start of a stop sequence is held back until it either completes the stop
  sequence (then it and everything after it is discarded, ``finish_reason="stop"``) or cannot.

Sampling the ``<|endoftext|>`` token also ends generation with ``finish_reason="stop"``.
The model sees at most ``context_length`` tokens: a longer prompt loses its oldest tokens (the
count is reported as ``truncated``), and during a long generation the window slides the same way.
"""

from __future__ import annotations

import codecs
import secrets
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Literal

import torch

from .model import GPT, KVCache
from .sampling import SamplingParams, SamplingStages, sample, sampling_stages
from .tokenizer import LabTokenizer

# Upper limit on max_tokens: about 20 s of CPU generation at worst, and well past the context.
MAX_TOKENS_LIMIT = 512
MAX_STOP_SEQUENCES = 8

FinishReason = Literal["stop", "length"]


@dataclass(frozen=True)
class GenerationStart:
    """First event: what the model was actually given."""

    prompt_tokens: int  # tokens fed to the model, after truncation (the start token if empty)
    truncated: int  # prompt tokens dropped from the front to fit the context
    seed: int


@dataclass(frozen=True)
class TextDelta:
    """One sampled token and the text it released (may be empty while text is held back)."""

    index: int  # 0-based position among the generated tokens
    token_id: int
    text: str


@dataclass(frozen=True)
class GenerationEnd:
    """Last event: the whole answer and why it ended."""

    finish_reason: FinishReason
    text: str
    token_ids: list[int]  # every sampled token, including any that formed the stop sequence
    truncated: int
    stop_sequence: str | None  # which stop string matched; None for length or <|endoftext|>


GenerationEvent = GenerationStart | TextDelta | GenerationEnd


@dataclass(frozen=True)
class GenerationResult:
    """Non-streaming result of ``generate``."""

    text: str
    token_ids: list[int]
    finish_reason: FinishReason
    truncated: int
    seed: int


def _check_request(max_tokens: int, stop: Sequence[str]) -> list[str]:
    if isinstance(max_tokens, bool) or not isinstance(max_tokens, int):
        raise ValueError(f"max_tokens must be a whole number, got {max_tokens!r}")
    if not 1 <= max_tokens <= MAX_TOKENS_LIMIT:
        raise ValueError(f"max_tokens must be between 1 and {MAX_TOKENS_LIMIT}, got {max_tokens}")
    stops = [stop] if isinstance(stop, str) else list(stop)
    if len(stops) > MAX_STOP_SEQUENCES:
        raise ValueError(f"at most {MAX_STOP_SEQUENCES} stop sequences, got {len(stops)}")
    if any(not isinstance(s, str) or not s for s in stops):
        raise ValueError("stop sequences must be non-empty strings")
    return stops


def fit_prompt(prompt_ids: list[int], context_length: int, bot_id: int) -> tuple[list[int], int]:
    """The token window the model starts from, and how many prompt tokens were dropped.

    Example: ``fit_prompt([5, 6, 7], 2, 0) -> ([6, 7], 1)``; ``fit_prompt([], 2, 0) -> ([0], 0)``
    """
    if not prompt_ids:
        return [bot_id], 0
    dropped = max(0, len(prompt_ids) - context_length)
    return prompt_ids[dropped:], dropped


@dataclass(frozen=True)
class PromptContext:
    """What the model sees of a prompt, and which ids the penalties count."""

    window: list[int]  # ids fed to the model: the prompt's last context_length, or the start token
    truncated: int  # prompt tokens dropped from the front
    penalty_ids: list[int]  # the visible prompt ids; never the start token the model was given instead


def prompt_context(tokenizer: LabTokenizer, prompt: str, context_length: int) -> PromptContext:
    """Encode ``prompt`` and fit it to the context (see ``fit_prompt``)."""
    window, truncated = fit_prompt(tokenizer.encode(prompt), context_length, tokenizer.bot_id)
    return PromptContext(window=window, truncated=truncated, penalty_ids=window if prompt else [])


def next_token_logits(model: GPT, window: list[int]) -> torch.Tensor:
    """Logits (vocab,) in float64 for the token that follows ``window``."""
    cache = KVCache(model.config.n_layer)
    return model.forward_cached(torch.tensor([window], device=_device_of(model)), cache)[0].double().cpu()


def held_back_length(text: str, stops: Sequence[str]) -> int:
    """Length of the longest end of ``text`` that is a proper start of some stop string.

    Example: ``held_back_length("Hello\\n", ["\\n\\n"]) -> 1``; ``("Hello", ["\\n\\n"]) -> 0``
    """
    longest = 0
    for stop in stops:
        for n in range(min(len(stop) - 1, len(text)), longest, -1):
            if text.endswith(stop[:n]):
                longest = n
                break
    return longest


def find_stop(text: str, stops: Sequence[str]) -> tuple[int, str] | None:
    """Earliest position where any stop string occurs in ``text``, and which one.

    Example: ``find_stop("a END b", ["END", "b"]) -> (2, "END")``
    """
    best: tuple[int, str] | None = None
    for stop in stops:
        at = text.find(stop)
        if at >= 0 and (best is None or at < best[0]):
            best = (at, stop)
    return best


def _device_of(model: GPT) -> torch.device:
    return next(model.parameters()).device


def stream_generate(
    model: GPT,
    tokenizer: LabTokenizer,
    prompt: str,
    *,
    max_tokens: int = 64,
    params: SamplingParams | None = None,
    stop: Sequence[str] = (),
    seed: int | None = None,
) -> Iterator[GenerationEvent]:
    """Generate a continuation of ``prompt``, yielding events as text becomes final."""
    params = (params or SamplingParams()).validate()
    stops = _check_request(max_tokens, stop)
    if seed is not None and (isinstance(seed, bool) or not isinstance(seed, int) or not 0 <= seed < 2**63):
        raise ValueError(f"seed must be a whole number in [0, 2**63), got {seed!r}")
    seed = secrets.randbelow(2**63) if seed is None else seed
    generator = torch.Generator().manual_seed(seed)
    ctx = model.config.context_length
    device = _device_of(model)

    context = prompt_context(tokenizer, prompt, ctx)
    window, truncated = context.window, context.truncated
    yield GenerationStart(prompt_tokens=len(window), truncated=truncated, seed=seed)

    # Penalty counts cover the visible prompt and the output; the start token we add is neither.
    counts = torch.zeros(model.config.vocab_size, dtype=torch.float64)
    for token in context.penalty_ids:
        counts[token] += 1

    decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
    text = ""  # everything decoded so far (complete characters only)
    released = 0  # how much of ``text`` the caller has seen
    generated: list[int] = []
    cache = KVCache(model.config.n_layer)
    logits = model.forward_cached(torch.tensor([window], device=device), cache)[0]
    finish: FinishReason = "length"
    matched: str | None = None

    for index in range(max_tokens):
        stages = sampling_stages(logits, params, counts=counts)
        token = sample(stages.final, generator)
        generated.append(token)
        counts[token] += 1
        last = index == max_tokens - 1
        if token == tokenizer.bot_id:
            finish, last = "stop", True
        else:
            text += decoder.decode(tokenizer.token_bytes(token))
        hit = find_stop(text, stops)
        if hit is not None:
            text, matched = text[: hit[0]], hit[1]
            finish, last = "stop", True
        end = len(text) if last else len(text) - held_back_length(text, stops)
        piece, released = text[released:end], max(released, end)
        yield TextDelta(index=index, token_id=token, text=piece)
        if last:
            break
        window.append(token)
        if cache.length + 1 > ctx:
            # Learned positions shift when the window slides, so the cache cannot be reused:
            # start again from the newest ``ctx`` tokens.
            window = window[-ctx:]
            cache = KVCache(model.config.n_layer)
            logits = model.forward_cached(torch.tensor([window], device=device), cache)[0]
        else:
            logits = model.forward_cached(torch.tensor([[token]], device=device), cache)[0]

    yield GenerationEnd(
        finish_reason=finish,
        text=text[:released],
        token_ids=generated,
        truncated=truncated,
        stop_sequence=matched,
    )


def generate(
    model: GPT,
    tokenizer: LabTokenizer,
    prompt: str,
    *,
    max_tokens: int = 64,
    params: SamplingParams | None = None,
    stop: Sequence[str] = (),
    seed: int | None = None,
) -> GenerationResult:
    """Non-streaming ``stream_generate``: the final text, tokens, finish reason and truncation."""
    start: GenerationStart | None = None
    for event in stream_generate(
        model, tokenizer, prompt, max_tokens=max_tokens, params=params, stop=stop, seed=seed
    ):
        if isinstance(event, GenerationStart):
            start = event
        elif isinstance(event, GenerationEnd):
            assert start is not None
            return GenerationResult(
                text=event.text,
                token_ids=event.token_ids,
                finish_reason=event.finish_reason,
                truncated=event.truncated,
                seed=start.seed,
            )
    raise RuntimeError("generation ended without a GenerationEnd event")  # unreachable


def next_token_distribution(
    model: GPT,
    tokenizer: LabTokenizer,
    prompt: str,
    params: SamplingParams | None = None,
) -> tuple[SamplingStages, int]:
    """Every sampling stage for the token after ``prompt``, and the truncated count."""
    params = (params or SamplingParams()).validate()
    context = prompt_context(tokenizer, prompt, model.config.context_length)
    logits = next_token_logits(model, context.window)
    return sampling_stages(logits, params, context.penalty_ids), context.truncated
