"""Pre-training, live: a tiny GPT from random weights on a small text corpus, step by step.

The same pieces as ``make train`` (train.py): random windows from ``get_batch``, AdamW that decays
the weight matrices only, linear warm-up then cosine decay (``lr_at``). The model is the lab's GPT
with a small shape, so on one CPU thread it takes thousands of tokens a second and half a minute
is enough to watch the loss fall under the unigram baseline and the samples turn from noise into
English-like text.

    data = prepare_data(tokenizer, documents)
    for event in pretrain(tokenizer, data, PretrainConfig(steps=300)):
        print(event)
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace

import torch

from .corpus import Document
from .evaluate import eval_targets, eval_windows, mean_nll, unigram_nll
from .generate import generate
from .live import Budget, RunEnd, ShouldStop, TrainStep, never, set_learning_rate
from .model import GPT, GPTConfig
from .sampling import SamplingParams
from .tokenizer import LabTokenizer
from .train import Recipe, adamw, encode_documents, get_batch, lr_at

# Every 10th paragraph is held out, so validation text is spread over every document.
VALIDATION_EVERY = 10
_WORD = re.compile(r"[A-Za-z]+")
_PHRASE_BREAK = re.compile(r"[^A-Za-z'\s]+")
# A sample "reads as English-like" when nearly all its words are words of the training text AND a good
# share of its adjacent word pairs occur in that text too: common words alone ("and the is to") pass the
# first test long before the text reads as English; the pairs do not. Thresholds set on trial samples:
# noise and word salad scored 0.00-0.11 on pairs, samples a reader would call English-like 0.20-0.50.
ENGLISH_LIKE_WORDS = 0.85
ENGLISH_LIKE_PAIRS = 0.3
ENGLISH_LIKE_MIN_WORDS = 8
# ... and mostly letters: a sample of numbers with a few words between ("the 1 1, 4 a 4 6 to") is not.
ENGLISH_LIKE_LETTERS = 0.7
# Pairs of two very common words ("is the", "and a") prove nothing: they are left out of the pair test.
COMMON_WORDS = 50


@dataclass(frozen=True)
class PretrainConfig:
    """Shape, budget and recipe of one live pre-training run."""

    # On 2 shared CPU cores the time budget ends the run first (500-750 steps in 30 s); the schedule
    # follows it. Samples pass the English-like test from about step 500, so 40 s leaves some margin.
    steps: int = 1000
    max_seconds: float = 40.0
    # High for a transformer, right for one this small: trials at 3e-3 were still fragments at 25 s.
    learning_rate: float = 1e-2
    warmup_steps: int = 20
    weight_decay: float = 0.1
    grad_clip: float = 1.0
    batch_size: int = 8  # more, smaller steps: on a budget in seconds this learns words sooner
    context_length: int = 64
    n_layer: int = 2
    n_head: int = 4
    n_embd: int = 64
    eval_every: int = 25
    sample_every: int = 25
    sample_prompt: str = "The model"
    sample_tokens: int = 32
    sample_temperature: float = 0.6
    seed: int = 1337

    def model_config(self, vocab_size: int) -> GPTConfig:
        """The GPT shape for a tokenizer of ``vocab_size`` ids."""
        return GPTConfig(
            vocab_size=vocab_size,
            context_length=self.context_length,
            n_layer=self.n_layer,
            n_head=self.n_head,
            n_embd=self.n_embd,
        )

    def recipe(self) -> Recipe:
        """The schedule as train.py's Recipe, so ``lr_at`` computes the learning rate."""
        return Recipe(
            steps=self.steps,
            batch_size=self.batch_size,
            learning_rate=self.learning_rate,
            warmup_steps=min(self.warmup_steps, max(1, self.steps // 5)),
            weight_decay=self.weight_decay,
            grad_clip=self.grad_clip,
            seed=self.seed,
        )


@dataclass(frozen=True)
class PretrainData:
    """The corpus as token streams, and the words a sample is checked against."""

    train: torch.Tensor  # (N,) token ids, <|endoftext|> before every paragraph
    val: torch.Tensor  # (M,) held-out paragraphs, the same layout
    words: frozenset[str]  # lower-cased words of the training paragraphs
    pairs: frozenset[tuple[str, str]]  # adjacent word pairs of the training paragraphs
    common: frozenset[str]  # its COMMON_WORDS most frequent words
    paragraphs: int
    characters: int


def paragraphs_of(documents: Sequence[str]) -> list[str]:
    """Each document split at blank lines, empty parts dropped.

    Example: ``paragraphs_of(["a\\n\\nb", "c"]) -> ["a", "b", "c"]``
    """
    return [part.strip() for doc in documents for part in re.split(r"\n\s*\n", doc) if part.strip()]


def words_of(text: str) -> list[str]:
    """The lower-cased words of ``text``: runs of letters, single letters other than "a" and "I" left out.

    Single letters are mostly symbols here (top-k, d_model, x + y) and would pass for words of any text.
    Example: ``words_of("The cat's hat, 2 mats, k = I") -> ["the", "cat", "hat", "mats", "i"]``
    """
    return [w for w in (m.lower() for m in _WORD.findall(text)) if len(w) > 1 or w in ("a", "i")]


def known_word_share(text: str, words: frozenset[str]) -> tuple[float | None, int]:
    """Share of the words of ``text`` found in ``words``, and how many words it has (None if none).

    Example: with words {"the", "cat"}, ``known_word_share("the cat zzq", words) -> (0.667, 3)``
    """
    found = words_of(text)
    if not found:
        return None, 0
    return sum(w in words for w in found) / len(found), len(found)


def known_pair_share(
    text: str, pairs: frozenset[tuple[str, str]], common: frozenset[str] = frozenset()
) -> float | None:
    """Share of the word pairs of ``text`` (see ``word_pairs``) found in ``pairs``, leaving out pairs of two
    ``common`` words; None if no pair is left.

    Example: with pairs {("the", "cat")}, ``known_pair_share("the cat sat", pairs) -> 0.5``
    """
    found = [p for p in word_pairs(text) if not (p[0] in common and p[1] in common)]
    if not found:
        return None
    return sum(p in pairs for p in found) / len(found)


def letter_share(text: str) -> float:
    """Share of the non-space characters of ``text`` that are letters (0 for no characters).

    Example: ``letter_share("ab 1.") -> 0.5``
    """
    chars = [c for c in text if not c.isspace()]
    return sum(c.isalpha() for c in chars) / len(chars) if chars else 0.0


def is_english_like(word_share: float | None, pair_share: float | None, n_words: int, letters: float) -> bool:
    """The page's and the benchmark's test of a sample: enough words, nearly all of them words of the
    training text, enough of their neighbouring pairs found there too, and mostly letters."""
    return (
        n_words >= ENGLISH_LIKE_MIN_WORDS
        and letters >= ENGLISH_LIKE_LETTERS
        and word_share is not None
        and pair_share is not None
        and word_share >= ENGLISH_LIKE_WORDS
        and pair_share >= ENGLISH_LIKE_PAIRS
    )


def word_pairs(text: str) -> list[tuple[str, str]]:
    """Adjacent words with nothing but spaces between them: punctuation and digits break a pair.

    Example: ``word_pairs("the cat sat. A dog") -> [("the", "cat"), ("cat", "sat"), ("a", "dog")]``
    """
    pairs: list[tuple[str, str]] = []
    for phrase in _PHRASE_BREAK.split(text):
        words = words_of(phrase)
        pairs.extend(zip(words, words[1:], strict=False))
    return pairs


def prepare_data(
    tokenizer: LabTokenizer, documents: Sequence[str], val_every: int = VALIDATION_EVERY
) -> PretrainData:
    """Hold out every ``val_every``-th paragraph; encode each document's kept paragraphs as one text.

    Paragraphs stay in their document (joined by blank lines), so ``<|endoftext|>`` only separates
    documents, as in ``make train``.
    """
    train: list[Document] = []
    val: list[Document] = []
    index = 0
    for d, doc in enumerate(documents):
        parts = paragraphs_of([doc])
        held = {i for i in range(len(parts)) if (index + i) % val_every == val_every - 1}
        index += len(parts)
        kept = [p for i, p in enumerate(parts) if i not in held]
        if kept:
            train.append(Document(f"train/{d}", "\n\n".join(kept)))
        if held:
            val.append(Document(f"val/{d}", "\n\n".join(parts[i] for i in sorted(held))))
    if not val or not train:
        raise ValueError(f"need at least {val_every} paragraphs of text, got {index}")
    return PretrainData(
        train=encode_documents(tokenizer, train),
        val=encode_documents(tokenizer, val),
        words=frozenset(w for doc in train for w in words_of(doc.text)),
        pairs=frozenset(p for doc in train for p in word_pairs(doc.text)),
        common=frozenset(
            w for w, _ in Counter(w for d in train for w in words_of(d.text)).most_common(COMMON_WORDS)
        ),
        paragraphs=index,
        characters=sum(len(doc.text) for doc in train + val),
    )


@dataclass(frozen=True)
class PretrainStart:
    """What is about to be trained, and the two losses to beat."""

    parameters: int
    model: GPTConfig
    train_tokens: int
    val_tokens: int
    tokens_per_step: int
    steps: int
    max_seconds: float
    uniform_loss: float  # ln(vocab): a model that spreads its bet evenly over every id
    unigram_loss: float  # add-one unigram of the training tokens, on the validation tokens
    val_loss: float  # the random weights, on the validation tokens


@dataclass(frozen=True)
class Validation:
    """Mean loss on the held-out tokens after ``step`` steps."""

    step: int
    val_loss: float


@dataclass(frozen=True)
class Sample:
    """The fixed prompt continued by the model after ``step`` steps (same seed every time)."""

    step: int
    prompt: str
    text: str
    known_share: float | None  # share of the sample's words that are words of the training text
    pair_share: float | None  # share of its adjacent word pairs found in the training text
    words: int
    letters: float  # share of its non-space characters that are letters

    @property
    def english_like(self) -> bool:
        """Whether it passes ``is_english_like``."""
        return is_english_like(self.known_share, self.pair_share, self.words, self.letters)


PretrainEvent = PretrainStart | TrainStep | Validation | Sample | RunEnd


def baseline_losses(data: PretrainData, context_length: int, vocab_size: int) -> tuple[float, float]:
    """The two losses to beat on the validation tokens: uniform over the ids (ln V), and add-one unigram."""
    targets = eval_targets(data.val, eval_windows(data.val, context_length), context_length)
    return math.log(vocab_size), unigram_nll(data.train, targets, vocab_size)


def new_model(config: GPTConfig, seed: int) -> GPT:
    """A freshly initialised GPT, the same for the same seed, leaving torch's global RNG as it was."""
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        return GPT(config)


def draw_sample(
    model: GPT, tokenizer: LabTokenizer, data: PretrainData, config: PretrainConfig, step: int
) -> Sample:
    """Continue the fixed prompt with the fixed seed: only the weights differ between samples."""
    params = SamplingParams(temperature=config.sample_temperature)
    was_training = model.training
    model.eval()
    result = generate(
        model,
        tokenizer,
        config.sample_prompt,
        max_tokens=config.sample_tokens,
        params=params,
        seed=config.seed,
    )
    model.train(was_training)
    share, n_words = known_word_share(result.text, data.words)
    return Sample(
        step=step,
        prompt=config.sample_prompt,
        text=result.text,
        known_share=share,
        pair_share=known_pair_share(result.text, data.pairs, data.common),
        words=n_words,
        letters=letter_share(result.text),
    )


def pretrain(
    tokenizer: LabTokenizer,
    data: PretrainData,
    config: PretrainConfig,
    *,
    should_stop: ShouldStop = never,
) -> Iterator[PretrainEvent]:
    """Train a new tiny GPT on ``data``: a start event, then each step's loss, validations and samples."""
    model_config = config.model_config(tokenizer.vocab_size)
    context = model_config.context_length
    if len(data.train) <= context + 1:
        raise ValueError(f"the training text has {len(data.train)} tokens; it needs more than {context + 1}")
    model = new_model(model_config, config.seed)
    recipe = config.recipe()
    optimizer = adamw(model, recipe.learning_rate, recipe.weight_decay)
    data_gen = torch.Generator().manual_seed(config.seed)
    val_starts = eval_windows(data.val, context)
    val_loss, _ = mean_nll(model, data.val, val_starts, context)
    uniform, unigram = baseline_losses(data, context, tokenizer.vocab_size)
    tokens_per_step = config.batch_size * context
    budget = Budget(config.steps, config.max_seconds, should_stop)
    yield PretrainStart(
        parameters=model.num_params(),
        model=model_config,
        train_tokens=len(data.train),
        val_tokens=len(data.val),
        tokens_per_step=tokens_per_step,
        steps=config.steps,
        max_seconds=config.max_seconds,
        uniform_loss=uniform,
        unigram_loss=unigram,
        val_loss=val_loss,
    )
    yield draw_sample(model, tokenizer, data, config, 0)
    model.train()
    while (reason := budget.stop_reason()) is None:
        # The schedule follows whichever budget runs out first, so a slow machine still decays.
        planned = max(budget.done, int(budget.progress() * config.steps))
        lr = lr_at(planned, recipe, config.steps)
        set_learning_rate(optimizer, lr)
        x, y = get_batch(data.train, config.batch_size, context, data_gen)
        _, loss = model(x, y)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), recipe.grad_clip)
        optimizer.step()
        step = budget.step_done(loss.item(), lr, tokens_per_step)
        yield step
        last = budget.exhausted()
        if step.step % config.eval_every == 0 or last:
            yield Validation(step.step, mean_nll(model, data.val, val_starts, context)[0])
        if step.step % config.sample_every == 0 or last:
            yield draw_sample(model, tokenizer, data, config, step.step)
    yield budget.end(reason)


def with_budget(config: PretrainConfig, *, steps: int, max_seconds: float) -> PretrainConfig:
    """The same run with another budget; evaluation and samples every 1/20 of the steps, at most every 50."""
    every = max(1, min(50, steps // 20))
    return replace(config, steps=steps, max_seconds=max_seconds, eval_every=every, sample_every=every)
