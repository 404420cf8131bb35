"""Supervised fine-tuning, live: a chat template, targets masked to the response, and the training steps.

A pair becomes one token sequence laid out by the template,

    User: {instruction}\\nAssistant: {response}<|endoftext|>

and the model is trained on it as in pre-training (next-token cross-entropy), except that only the
response tokens (and the closing ``<|endoftext|>``, which teaches it to stop) are targets: every
prompt position gets the target -1, which ``GPT.forward`` ignores. So the model learns to answer,
not to write questions.

    for event in supervised_finetune(copy.deepcopy(base), tokenizer, pairs, SftConfig(), question="Hi?"):
        print(event)
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import torch

from .generate import FinishReason, generate
from .live import Budget, RunEnd, ShouldStop, TrainStep, never, set_learning_rate
from .model import GPT
from .sampling import SamplingParams
from .tokenizer import ENDOFTEXT, LabTokenizer
from .train import adamw

IGNORE = -1  # the target GPT.forward's cross-entropy skips


@dataclass(frozen=True)
class ChatTemplate:
    """How one exchange is written out as text; ``<|endoftext|>`` closes the answer."""

    user: str = "User: "
    assistant: str = "\nAssistant:"

    def prompt(self, instruction: str) -> str:
        """The text the model is given: everything before the answer.

        Example: ``ChatTemplate().prompt("Hi?") -> "User: Hi?\\nAssistant:"``
        """
        return f"{self.user}{instruction}{self.assistant}"

    def layout(self) -> str:
        """The template with placeholders, as the page shows it."""
        return f"{self.prompt('{instruction}')} {{response}}{ENDOFTEXT}"


DEFAULT_TEMPLATE = ChatTemplate()


@dataclass(frozen=True)
class InstructionPair:
    """One SFT example."""

    instruction: str
    response: str


def encode_pair(
    tokenizer: LabTokenizer, template: ChatTemplate, instruction: str, response: str
) -> tuple[list[int], int]:
    """The pair's token ids (prompt, `` response``, ``<|endoftext|>``) and how many are prompt."""
    prompt = tokenizer.encode(template.prompt(instruction))
    answer = tokenizer.encode(" " + response) + [tokenizer.eot_id]
    return prompt + answer, len(prompt)


def masked_targets(ids: Sequence[int], prompt_len: int) -> tuple[list[int], list[int]]:
    """Inputs and next-token targets of one sequence, with every target inside the prompt set to -1.

    Example: ``masked_targets([9, 5, 6, 7, 8], 3) -> ([9, 5, 6, 7], [-1, -1, 7, 8])``: 6 is the last
    prompt token, so the first target that counts is 7, the first response token.
    """
    inputs, targets = list(ids[:-1]), list(ids[1:])
    for i in range(min(prompt_len - 1, len(targets))):
        targets[i] = IGNORE
    return inputs, targets


def pad_batch(rows: Sequence[tuple[list[int], list[int]]], pad_id: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Stack (inputs, targets) rows into (B, T) tensors; padding is ``pad_id`` in, -1 out (never a target)."""
    width = max(len(x) for x, _ in rows)
    x = torch.full((len(rows), width), pad_id, dtype=torch.long)  # (B, T)
    y = torch.full((len(rows), width), IGNORE, dtype=torch.long)  # (B, T)
    for i, (inputs, targets) in enumerate(rows):
        x[i, : len(inputs)] = torch.tensor(inputs)
        y[i, : len(targets)] = torch.tensor(targets)
    return x, y


def sft_rows(
    tokenizer: LabTokenizer, template: ChatTemplate, pairs: Sequence[InstructionPair], context_length: int
) -> list[tuple[list[int], list[int]]]:
    """Every pair as masked (inputs, targets), cut to the context; a pair with no answer left is an error."""
    rows = []
    for pair in pairs:
        ids, prompt_len = encode_pair(tokenizer, template, pair.instruction, pair.response)
        ids = ids[: context_length + 1]
        if prompt_len >= len(ids):
            raise ValueError(
                f"the prompt of {pair.instruction!r} fills the {context_length}-token context: "
                "no answer left to learn"
            )
        rows.append(masked_targets(ids, prompt_len))
    return rows


def response_token_count(targets: torch.Tensor) -> int:
    """How many targets count (are not -1)."""
    return int((targets != IGNORE).sum())


@dataclass(frozen=True)
class SftConfig:
    """Budget and recipe of one live fine-tuning run."""

    steps: int = 30
    max_seconds: float = 20.0
    learning_rate: float = 1e-3
    batch_size: int = 8
    weight_decay: float = 0.0
    grad_clip: float = 1.0
    answer_every: int = 10  # answer the question again every this many steps
    answer_tokens: int = 48
    answer_temperature: float = 0.7
    seed: int = 1337


@dataclass(frozen=True)
class SftStart:
    """What is about to be fine-tuned."""

    pairs: int
    parameters: int
    response_tokens: int  # targets that count, over all pairs
    prompt_tokens: int  # targets masked to -1, over all pairs
    steps: int
    max_seconds: float
    template: str


@dataclass(frozen=True)
class Answer:
    """The question put to the model after ``step`` steps (step 0: before any fine-tuning)."""

    step: int
    question: str
    prompt: str
    text: str
    finish_reason: FinishReason  # "stop": it closed its answer with <|endoftext|>; "length": ran on


SftEvent = SftStart | TrainStep | Answer | RunEnd


def ask(
    model: GPT,
    tokenizer: LabTokenizer,
    template: ChatTemplate,
    question: str,
    *,
    step: int,
    max_tokens: int = 48,
    temperature: float = 0.7,
    seed: int = 1337,
) -> Answer:
    """Put ``question`` to the model in the template and sample its answer (the same seed every time)."""
    was_training = model.training
    model.eval()
    prompt = template.prompt(question)
    result = generate(
        model,
        tokenizer,
        prompt,
        max_tokens=max_tokens,
        params=SamplingParams(temperature=temperature),
        seed=seed,
    )
    model.train(was_training)
    return Answer(
        step=step, question=question, prompt=prompt, text=result.text, finish_reason=result.finish_reason
    )


def supervised_finetune(
    model: GPT,
    tokenizer: LabTokenizer,
    pairs: Sequence[InstructionPair],
    config: SftConfig,
    *,
    question: str,
    template: ChatTemplate = DEFAULT_TEMPLATE,
    should_stop: ShouldStop = never,
) -> Iterator[SftEvent]:
    """Fine-tune ``model`` in place (pass a copy to keep the original) and ask ``question`` as it goes."""
    if not pairs:
        raise ValueError("no instruction/response pairs to fine-tune on")
    rows = sft_rows(tokenizer, template, pairs, model.config.context_length)
    _, all_targets = pad_batch(rows, tokenizer.eot_id)
    counted = response_token_count(all_targets)
    optimizer = adamw(model, config.learning_rate, config.weight_decay)
    order = torch.Generator().manual_seed(config.seed)
    budget = Budget(config.steps, config.max_seconds, should_stop)
    yield SftStart(
        pairs=len(rows),
        parameters=model.num_params(),
        response_tokens=counted,
        prompt_tokens=sum(len(t) for _, t in rows) - counted,
        steps=config.steps,
        max_seconds=config.max_seconds,
        template=template.layout(),
    )

    def answer(step: int) -> Answer:
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

    yield answer(0)
    model.train()
    while (reason := budget.stop_reason()) is None:
        picks = torch.randperm(len(rows), generator=order)[: config.batch_size].tolist()
        x, y = pad_batch([rows[i] for i in picks], tokenizer.eot_id)
        # Constant learning rate after a short linear warm-up: a few dozen steps leave no room for decay.
        lr = config.learning_rate * min(1.0, (budget.done + 1) / 5)
        set_learning_rate(optimizer, lr)
        _, loss = model(x, y)  # cross-entropy over the response targets only (-1 is ignored)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), config.grad_clip)
        optimizer.step()
        step = budget.step_done(loss.item(), lr, x.numel())
        yield step
        if step.step % config.answer_every == 0 or budget.exhausted():
            yield answer(step.step)
    model.eval()
    yield budget.end(reason)
