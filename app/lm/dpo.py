"""Direct Preference Optimization, live: chosen/rejected answers, a frozen reference, the DPO loss.

Rafailov et al. 2023 ("Direct Preference Optimization: Your Language Model is Secretly a Reward
Model"). For a prompt x with a chosen answer y_w and a rejected answer y_l, the policy pi is pushed
to raise y_w over y_l *relative to a frozen reference* pi_ref (here: the SFT model it started from):

    loss = -log sigmoid(beta * [(log pi(y_w|x) - log pi_ref(y_w|x)) - (log pi(y_l|x) - log pi_ref(y_l|x))])

No reward model and no sampling: the log-probabilities of the given answers are enough. beta sets
how far from the reference the policy may go for a given gain; the run reports that distance as the
mean per-token KL(pi || pi_ref) over the answer tokens.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from typing import Literal

import torch
from torch.nn import functional as F

from .live import Budget, RunEnd, ShouldStop, never, set_learning_rate
from .model import GPT
from .sft import (
    DEFAULT_TEMPLATE,
    IGNORE,
    Answer,
    ChatTemplate,
    InstructionPair,
    SftConfig,
    SftEvent,
    ask,
    encode_pair,
    masked_targets,
    pad_batch,
    supervised_finetune,
)
from .tokenizer import LabTokenizer
from .train import adamw


@dataclass(frozen=True)
class PreferencePair:
    """One prompt answered twice: the answer a rater preferred and the one they rejected."""

    prompt: str
    chosen: str
    rejected: str


def preference_batch(
    tokenizer: LabTokenizer,
    template: ChatTemplate,
    pairs: Sequence[PreferencePair],
    context_length: int,
) -> tuple[torch.Tensor, torch.Tensor]:
    """Inputs and answer-only targets (2n, T): the n chosen answers first, then the n rejected."""
    rows = []
    for answer_of in (lambda p: p.chosen, lambda p: p.rejected):
        for pair in pairs:
            ids, prompt_len = encode_pair(tokenizer, template, pair.prompt, answer_of(pair))
            ids = ids[: context_length + 1]
            if prompt_len >= len(ids):
                raise ValueError(f"the prompt {pair.prompt!r} fills the {context_length}-token context")
            rows.append(masked_targets(ids, prompt_len))
    return pad_batch(rows, tokenizer.eot_id)


def answer_logprobs(logits: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
    """Sum of log p(target) over each row's counted targets: log pi(answer | prompt), shape (B,).

    Example: two positions, each giving its target probability 0.5 -> ``2 * log 0.5 = -1.386``
    """
    logp = F.log_softmax(logits.float(), dim=-1)  # (B, T, V)
    mask = targets != IGNORE  # (B, T)
    picked = logp.gather(-1, targets.clamp(min=0).unsqueeze(-1)).squeeze(-1)  # (B, T)
    return (picked * mask).sum(dim=1)


def dpo_loss(
    policy_chosen: torch.Tensor,
    policy_rejected: torch.Tensor,
    ref_chosen: torch.Tensor,
    ref_rejected: torch.Tensor,
    beta: float,
) -> tuple[torch.Tensor, torch.Tensor]:
    """Mean DPO loss and the per-pair implicit reward margins ``beta * (chosen ratio - rejected ratio)``.

    Example: a policy equal to its reference has margin 0 and loss ``-log sigmoid(0) = log 2 = 0.693``.
    """
    margins = beta * ((policy_chosen - ref_chosen) - (policy_rejected - ref_rejected))  # (n,)
    return -F.logsigmoid(margins).mean(), margins


def answer_kl(policy_logits: torch.Tensor, ref_logp: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
    """Mean over answer positions of KL(pi || pi_ref) of the next-token distributions (nats per token)."""
    logp = F.log_softmax(policy_logits.float(), dim=-1)  # (B, T, V)
    per_position = (logp.exp() * (logp - ref_logp)).sum(dim=-1)  # (B, T)
    mask = targets != IGNORE
    return (per_position * mask).sum() / mask.sum()


@dataclass(frozen=True)
class DpoConfig:
    """Budget and recipe of one live DPO run (every pair in every step: the set is small)."""

    steps: int = 20
    max_seconds: float = 20.0
    beta: float = 0.1
    # Small on purpose: at 5e-4 the loss hit 0 in five steps, the KL passed 2 nats per token and the
    # answers collapsed into repeated tokens (the over-optimisation the KL is there to show).
    learning_rate: float = 5e-5
    grad_clip: float = 1.0
    answer_tokens: int = 40
    answer_temperature: float = 0.7
    seed: int = 1337


@dataclass(frozen=True)
class DpoStart:
    """What the preference step starts from."""

    pairs: int
    parameters: int
    beta: float
    steps: int
    max_seconds: float
    reference_margin: float  # mean log pi_ref(chosen) - log pi_ref(rejected): where the SFT model stands


@dataclass(frozen=True)
class DpoStep:
    """One DPO step, measured on every pair before the update."""

    step: int
    loss: float
    margin: float  # mean log pi(chosen) - log pi(rejected), nats
    reward_margin: float  # mean beta * (chosen log-ratio - rejected log-ratio)
    accuracy: float  # share of pairs whose chosen answer has the higher implicit reward
    kl: float  # mean per-token KL(pi || pi_ref) over the answer tokens
    learning_rate: float
    seconds: float
    tokens_per_second: float


DpoEvent = DpoStart | DpoStep | Answer | RunEnd


def direct_preference_optimization(
    policy: GPT,
    reference: GPT,
    tokenizer: LabTokenizer,
    pairs: Sequence[PreferencePair],
    config: DpoConfig,
    *,
    question: str,
    template: ChatTemplate = DEFAULT_TEMPLATE,
    should_stop: ShouldStop = never,
) -> Iterator[DpoEvent]:
    """Train ``policy`` in place on ``pairs`` against the frozen ``reference``, asking ``question`` twice."""
    if not pairs:
        raise ValueError("no preference pairs")
    n = len(pairs)
    x, y = preference_batch(tokenizer, template, pairs, policy.config.context_length)
    reference.eval()
    with torch.no_grad():  # the reference never changes: its numbers are computed once
        ref_logits, _ = reference(x)
        ref_logp = F.log_softmax(ref_logits.float(), dim=-1)  # (2n, T, V)
        ref_seq = answer_logprobs(ref_logits, y)  # (2n,)
    del ref_logits
    optimizer = adamw(policy, config.learning_rate, 0.0)
    budget = Budget(config.steps, config.max_seconds, should_stop)
    yield DpoStart(
        pairs=n,
        parameters=policy.num_params(),
        beta=config.beta,
        steps=config.steps,
        max_seconds=config.max_seconds,
        reference_margin=float((ref_seq[:n] - ref_seq[n:]).mean()),
    )

    def answer(step: int, model: GPT) -> Answer:
        return ask(
            model,
            tokenizer,
            template,
            question,
            step=step,
            max_tokens=config.answer_tokens,
            temperature=config.answer_temperature,
            seed=config.seed,
        )

    yield answer(0, reference)
    policy.train()
    while (reason := budget.stop_reason()) is None:
        lr = config.learning_rate * min(1.0, (budget.done + 1) / 5)
        set_learning_rate(optimizer, lr)
        logits, _ = policy(x)  # (2n, T, V)
        seq = answer_logprobs(logits, y)
        loss, margins = dpo_loss(seq[:n], seq[n:], ref_seq[:n], ref_seq[n:], config.beta)
        with torch.no_grad():
            kl = float(answer_kl(logits, ref_logp, y))
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(policy.parameters(), config.grad_clip)
        optimizer.step()
        done = budget.step_done(loss.item(), lr, x.numel())
        yield DpoStep(
            step=done.step,
            loss=done.loss,
            margin=float((seq[:n] - seq[n:]).detach().mean()),
            reward_margin=float(margins.detach().mean()),
            accuracy=float((margins.detach() > 0).float().mean()),
            kl=kl,
            learning_rate=lr,
            seconds=done.seconds,
            tokens_per_second=done.tokens_per_second,
        )
    policy.eval()
    if reason != "stopped":  # nobody is waiting for the answer of a cancelled run
        yield answer(budget.done, policy)
    yield budget.end(reason)


Phase = Literal["sft", "dpo"]


def sft_then_dpo(
    model: GPT,
    tokenizer: LabTokenizer,
    sft_pairs: Sequence[InstructionPair],
    preferences: Sequence[PreferencePair],
    sft: SftConfig,
    dpo: DpoConfig,
    *,
    question: str,
    template: ChatTemplate = DEFAULT_TEMPLATE,
    should_stop: ShouldStop = never,
) -> Iterator[tuple[Phase, SftEvent | DpoEvent]]:
    """The preference stage as the module draws it: SFT ``model`` in place, freeze a copy as the reference,
    then DPO. Each event comes with its phase; ``dpo.max_seconds`` covers both phases."""
    end = None
    for event in supervised_finetune(
        model, tokenizer, sft_pairs, sft, question=question, template=template, should_stop=should_stop
    ):
        end = event if isinstance(event, RunEnd) else end
        yield "sft", event
    if end is None or end.reason == "stopped":
        return
    reference = copy.deepcopy(model).eval()  # frozen: every DPO step is measured against it
    reference.requires_grad_(False)
    left = max(1.0, dpo.max_seconds - end.seconds)
    for event in direct_preference_optimization(
        model,
        reference,
        tokenizer,
        preferences,
        replace(dpo, max_seconds=left),
        question=question,
        template=template,
        should_stop=should_stop,
    ):
        yield "dpo", event
