"""Live training in app/lm on tiny models: pre-training, SFT with masked targets, DPO, and their budgets."""

import copy
import math

import pytest
import torch
from torch.nn import functional as F

from app.lm.dpo import (
    DpoConfig,
    DpoStart,
    DpoStep,
    PreferencePair,
    answer_logprobs,
    direct_preference_optimization,
    dpo_loss,
    preference_batch,
    sft_then_dpo,
)
from app.lm.live import Budget, RunEnd, TrainStep
from app.lm.model import GPT, GPTConfig
from app.lm.pretrain import (
    PretrainConfig,
    PretrainStart,
    Sample,
    Validation,
    is_english_like,
    known_pair_share,
    known_word_share,
    letter_share,
    paragraphs_of,
    prepare_data,
    pretrain,
    word_pairs,
    words_of,
)
from app.lm.sft import (
    IGNORE,
    Answer,
    ChatTemplate,
    InstructionPair,
    SftConfig,
    SftStart,
    encode_pair,
    masked_targets,
    pad_batch,
    sft_rows,
    supervised_finetune,
)

from .conftest import SAMPLE_TEXT

TEMPLATE = ChatTemplate()
PAIRS = [
    InstructionPair("What sat on the mat?", "The cat sat on the mat."),
    InstructionPair("What does the mask hide?", "The mask hides the future."),
    InstructionPair("What ate the rat?", "The cat ate the rat."),
]
PREFERENCES = [
    PreferencePair("What sat on the mat?", "The cat sat on the mat.", "A hat."),
    PreferencePair("What does the mask hide?", "The future.", "Nothing at all."),
]


@pytest.fixture
def chat_model(tokenizer) -> GPT:
    """A tiny random model with room in its context for a whole exchange."""
    torch.manual_seed(0)
    config = GPTConfig(vocab_size=tokenizer.vocab_size, context_length=96, n_layer=2, n_head=2, n_embd=16)
    return GPT(config)


def test_masked_targets_hide_the_prompt_only():
    assert masked_targets([9, 5, 6, 7, 8], 3) == ([9, 5, 6, 7], [-1, -1, 7, 8])


def test_an_encoded_pair_is_prompt_then_response_then_end(tokenizer):
    ids, prompt_len = encode_pair(tokenizer, TEMPLATE, "What sat on the mat?", "The cat.")
    assert tokenizer.decode(ids[:prompt_len]) == "User: What sat on the mat?\nAssistant:"
    assert ids[prompt_len:] == tokenizer.encode(" The cat.") + [tokenizer.eot_id]
    _, targets = masked_targets(ids, prompt_len)
    assert targets[: prompt_len - 1] == [IGNORE] * (prompt_len - 1)
    assert targets[prompt_len - 1 :] == ids[prompt_len:]  # every response token, and the closing end token


def test_padding_is_never_a_target(tokenizer):
    x, y = pad_batch(sft_rows(tokenizer, TEMPLATE, PAIRS, 96), tokenizer.eot_id)
    lengths = [len(encode_pair(tokenizer, TEMPLATE, p.instruction, p.response)[0]) - 1 for p in PAIRS]
    for row, length in enumerate(lengths):
        assert (y[row, length:] == IGNORE).all()
        assert (x[row, length:] == tokenizer.eot_id).all()


def test_sft_loss_is_computed_on_response_tokens_only(tokenizer, chat_model):
    x, y = pad_batch(sft_rows(tokenizer, TEMPLATE, PAIRS, 96), tokenizer.eot_id)
    logits, loss = chat_model(x, y)
    counted = y != IGNORE
    by_hand = F.cross_entropy(logits[counted], y[counted])
    assert torch.allclose(loss, by_hand)
    logits.retain_grad()
    loss.backward()
    per_position = logits.grad.abs().sum(dim=-1)  # (B, T)
    assert (per_position[~counted] == 0).all()  # prompt and padding positions get no gradient at all
    assert (per_position[counted] > 0).all()


def test_prompt_targets_do_not_change_the_sft_loss(tokenizer, chat_model):
    """Whatever the prompt positions would predict, the masked loss is the same; unmasked, it is not."""
    ids, prompt_len = encode_pair(tokenizer, TEMPLATE, PAIRS[0].instruction, PAIRS[0].response)
    inputs, targets = masked_targets(ids, prompt_len)
    x, y = torch.tensor([inputs]), torch.tensor([targets])
    unmasked = torch.tensor([ids[1:]])
    other = unmasked.clone()
    other[0, : prompt_len - 1] = (other[0, : prompt_len - 1] + 1) % tokenizer.vocab_size
    with torch.no_grad():
        masked_loss = chat_model(x, y)[1]
        assert not torch.isclose(chat_model(x, unmasked)[1], chat_model(x, other)[1])
        for prompt_targets in (unmasked, other):
            remasked = prompt_targets.clone()
            remasked[0, : prompt_len - 1] = IGNORE
            assert torch.equal(chat_model(x, remasked)[1], masked_loss)


def test_a_pair_whose_prompt_fills_the_context_is_refused(tokenizer):
    with pytest.raises(ValueError, match="no answer left"):
        sft_rows(tokenizer, TEMPLATE, [InstructionPair("word " * 100, "Yes.")], 32)


def test_sft_fine_tunes_the_copy_and_answers_before_and_after(tokenizer, chat_model):
    original = copy.deepcopy(chat_model.state_dict())
    model = copy.deepcopy(chat_model)
    config = SftConfig(
        steps=12, max_seconds=60, learning_rate=3e-3, batch_size=3, answer_every=6, answer_tokens=8
    )
    events = list(supervised_finetune(model, tokenizer, PAIRS, config, question="What sat on the mat?"))
    start = events[0]
    assert isinstance(start, SftStart) and start.pairs == 3 and start.prompt_tokens > 0
    losses = [e.loss for e in events if isinstance(e, TrainStep)]
    assert len(losses) == 12 and losses[-1] < losses[0]
    assert [a.step for a in events if isinstance(a, Answer)] == [0, 6, 12]
    assert events[-1] == RunEnd(
        steps=12, seconds=events[-1].seconds, tokens_per_second=events[-1].tokens_per_second, reason="steps"
    )
    for name, tensor in chat_model.state_dict().items():
        assert torch.equal(tensor, original[name]), name  # only the copy was trained


def test_answer_logprobs_sum_the_counted_targets():
    logits = torch.zeros(1, 3, 2)  # every next-token distribution is [0.5, 0.5]
    targets = torch.tensor([[IGNORE, 0, 1]])
    assert torch.allclose(answer_logprobs(logits, targets), torch.tensor([2 * math.log(0.5)]))


def test_dpo_loss_of_an_unchanged_policy_is_log_2():
    zeros = torch.zeros(3)
    loss, margins = dpo_loss(zeros, zeros, zeros, zeros, beta=0.1)
    assert math.isclose(float(loss), math.log(2), rel_tol=1e-6) and torch.equal(margins, zeros)
    loss, margins = dpo_loss(
        torch.tensor([-1.0]), torch.tensor([-3.0]), torch.tensor([-2.0]), torch.tensor([-2.0]), 0.5
    )
    assert math.isclose(float(margins[0]), 1.0) and math.isclose(
        float(loss), -math.log(1 / (1 + math.exp(-1)))
    )


def test_preference_batch_puts_chosen_rows_first(tokenizer):
    x, y = preference_batch(tokenizer, TEMPLATE, PREFERENCES, 96)
    assert x.shape[0] == 4
    first_chosen = encode_pair(tokenizer, TEMPLATE, PREFERENCES[0].prompt, PREFERENCES[0].chosen)[0]
    first_rejected = encode_pair(tokenizer, TEMPLATE, PREFERENCES[0].prompt, PREFERENCES[0].rejected)[0]
    assert x[0, : len(first_chosen) - 1].tolist() == first_chosen[:-1]
    assert x[2, : len(first_rejected) - 1].tolist() == first_rejected[:-1]


def test_dpo_loss_falls_and_the_margin_grows(tokenizer, chat_model):
    reference = copy.deepcopy(chat_model).eval()
    reference.requires_grad_(False)
    config = DpoConfig(steps=8, max_seconds=60, learning_rate=1e-3, beta=0.5, answer_tokens=4)
    events = list(
        direct_preference_optimization(chat_model, reference, tokenizer, PREFERENCES, config, question="Hi?")
    )
    start = events[0]
    assert isinstance(start, DpoStart) and start.pairs == 2
    steps = [e for e in events if isinstance(e, DpoStep)]
    assert len(steps) == 8
    assert math.isclose(steps[0].loss, math.log(2), rel_tol=1e-5) and steps[0].kl == pytest.approx(
        0, abs=1e-6
    )
    assert math.isclose(steps[0].margin, start.reference_margin, rel_tol=1e-4, abs_tol=1e-4)
    assert all(b.loss < a.loss for a, b in zip(steps, steps[1:], strict=False))
    assert steps[-1].margin > steps[0].margin
    assert steps[-1].kl > 0 and steps[-1].accuracy == 1.0
    assert [e.step for e in events if isinstance(e, Answer)] == [0, 8]


@pytest.fixture
def corpus(tokenizer):
    """The sample text cut into paragraphs and encoded."""
    documents = [SAMPLE_TEXT.replace(". ", ".\n\n")] * 2
    return prepare_data(tokenizer, documents)


def tiny_pretrain(**changes) -> PretrainConfig:
    """A pre-training run small enough for a test."""
    shape = dict(batch_size=4, context_length=16, n_layer=1, n_head=2, n_embd=16)
    base = dict(steps=30, max_seconds=60, eval_every=10, sample_every=15, sample_tokens=6, learning_rate=1e-2)
    return PretrainConfig(**shape | base | {"warmup_steps": 3} | changes)


def test_paragraphs_and_the_held_out_split(tokenizer, corpus):
    assert paragraphs_of(["a\n\nb", "c"]) == ["a", "b", "c"]
    paragraphs = paragraphs_of([SAMPLE_TEXT.replace(". ", ".\n\n")] * 2)
    assert corpus.paragraphs == len(paragraphs) == 30
    val_text = tokenizer.decode(corpus.val.tolist())
    train_text = tokenizer.decode(corpus.train.tolist())
    assert val_text.count("<|endoftext|>") == 2  # one per document that has a held-out paragraph
    held = [p for i, p in enumerate(paragraphs) if i % 10 == 9]
    assert [part for doc in val_text.split("<|endoftext|>") for part in doc.split("\n\n") if part] == held
    assert paragraphs[0] in train_text and "mat" in corpus.words


def test_known_word_share():
    share, n = known_word_share("the cat zzq", frozenset({"the", "cat"}))
    assert n == 3 and math.isclose(share, 2 / 3)
    assert known_word_share("12 + 3", frozenset()) == (None, 0)


def test_known_pair_share():
    assert known_pair_share("The cat sat", frozenset({("the", "cat")})) == 0.5
    assert known_pair_share("The cat. Sat", frozenset({("the", "cat")})) == 1.0  # punctuation breaks a pair
    assert known_pair_share("cat", frozenset()) is None
    common = frozenset({"is", "the"})
    assert known_pair_share("is the cat", frozenset({("is", "the")}), common) == 0.0  # only the-cat counts
    assert known_pair_share("is the", frozenset(), common) is None


def test_the_most_common_words_are_counted_from_the_text(corpus):
    assert "the" in corpus.common and corpus.common <= corpus.words
    assert len(corpus.common) == min(50, len(corpus.words))


def test_words_leave_out_stray_letters_and_pairs_stop_at_punctuation():
    assert words_of("The cat's hat, 2 mats, k = I") == ["the", "cat", "hat", "mats", "i"]
    assert word_pairs("the cat sat. A dog, x + y") == [("the", "cat"), ("cat", "sat"), ("a", "dog")]


@pytest.mark.parametrize(
    ("words", "pairs", "n", "letters", "expected"),
    [
        (0.95, 0.5, 12, 0.9, True),
        (0.95, 0.2, 12, 0.9, False),  # common words in a random order: not English-like
        (0.7, 0.5, 12, 0.9, False),
        (0.95, 0.5, 4, 0.9, False),  # too short to tell
        (0.95, 0.5, 12, 0.6, False),  # mostly digits and symbols
        (None, None, 0, 0.0, False),
    ],
)
def test_english_like_needs_real_words_in_real_pairs(words, pairs, n, letters, expected):
    assert is_english_like(words, pairs, n, letters) is expected


def test_letter_share():
    assert letter_share("ab 1.") == 0.5 and letter_share("  ") == 0.0


def test_pretraining_loss_falls_from_random_weights(tokenizer, corpus):
    events = list(pretrain(tokenizer, corpus, tiny_pretrain()))
    start = events[0]
    assert isinstance(start, PretrainStart)
    assert math.isclose(start.uniform_loss, math.log(tokenizer.vocab_size))
    assert start.val_loss > start.unigram_loss  # random weights do worse than token frequencies
    losses = [e.loss for e in events if isinstance(e, TrainStep)]
    assert len(losses) == 30
    assert sum(losses[-5:]) / 5 < sum(losses[:5]) / 5 - 0.5
    vals = [e for e in events if isinstance(e, Validation)]
    assert [v.step for v in vals] == [10, 20, 30] and vals[-1].val_loss < start.val_loss
    samples = [e for e in events if isinstance(e, Sample)]
    assert [s.step for s in samples] == [0, 15, 30] and all(s.prompt == "The model" for s in samples)
    assert events[-1].reason == "steps" and events[-1].steps == 30


def test_the_same_seed_gives_the_same_run(tokenizer, corpus):
    def losses() -> list[float]:
        return [
            e.loss for e in pretrain(tokenizer, corpus, tiny_pretrain(steps=5)) if isinstance(e, TrainStep)
        ]

    assert losses() == losses()


def test_should_stop_ends_the_run_between_steps(tokenizer, corpus):
    done = []

    def should_stop() -> bool:
        return len(done) >= 3

    for event in pretrain(tokenizer, corpus, tiny_pretrain(steps=1000), should_stop=should_stop):
        if isinstance(event, TrainStep):
            done.append(event)
        last = event
    assert last.reason == "stopped" and last.steps == 3


def test_the_time_budget_ends_the_run(tokenizer, corpus):
    events = list(pretrain(tokenizer, corpus, tiny_pretrain(steps=100_000, max_seconds=0.3)))
    assert events[-1].reason == "time" and 0 < events[-1].steps < 100_000


def test_budget_progress_follows_the_tighter_limit():
    budget = Budget(steps=10, max_seconds=1000)
    budget.step_done(1.0, 1e-3, tokens=8)
    assert budget.progress() == pytest.approx(0.1, abs=1e-3) and budget.stop_reason() is None
    with pytest.raises(ValueError):
        Budget(steps=0, max_seconds=1)


def test_sft_then_dpo_freezes_the_sft_model_as_the_reference(tokenizer, chat_model):
    sft = SftConfig(steps=3, max_seconds=60, batch_size=3, answer_every=100, answer_tokens=4)
    dpo = DpoConfig(steps=2, max_seconds=60, answer_tokens=4)
    events = list(sft_then_dpo(chat_model, tokenizer, PAIRS, PREFERENCES, sft, dpo, question="Hi?"))
    phases = [phase for phase, _ in events]
    assert phases == sorted(phases, key=["sft", "dpo"].index) and phases.count("dpo") > 0
    first_dpo = next(e for p, e in events if p == "dpo" and isinstance(e, DpoStep))
    assert first_dpo.kl == pytest.approx(0, abs=1e-6)  # the reference is the SFT model, as it was


def test_sft_then_dpo_skips_dpo_when_stopped_during_sft(tokenizer, chat_model):
    sft = SftConfig(steps=50, max_seconds=60, batch_size=3, answer_every=100, answer_tokens=4)
    calls = []

    def should_stop() -> bool:
        calls.append(1)
        return len(calls) > 2

    events = list(
        sft_then_dpo(
            chat_model,
            tokenizer,
            PAIRS,
            PREFERENCES,
            sft,
            DpoConfig(),
            question="Hi?",
            should_stop=should_stop,
        )
    )
    assert {phase for phase, _ in events} == {"sft"} and events[-1][1].reason == "stopped"
