"""Streaming generation: stop sequences, UTF-8 hold-back, limits, truncation and seeding."""

import pytest
import torch

from app.lm.generate import (
    MAX_TOKENS_LIMIT,
    GenerationEnd,
    GenerationStart,
    TextDelta,
    find_stop,
    fit_prompt,
    generate,
    held_back_length,
    next_token_distribution,
    stream_generate,
)
from app.lm.model import GPT
from app.lm.sampling import SamplingParams

GREEDY = SamplingParams(temperature=0)


class ScriptedModel(GPT):
    """A real tiny GPT whose next-token logits are forced to follow a script of token ids."""

    def __init__(self, config, script):
        super().__init__(config)
        self.script = list(script)
        self.fed: list[list[int]] = []

    def forward_cached(self, idx, cache):
        """Run the real model (so the cache grows), then put all mass on the next scripted id."""
        super().forward_cached(idx, cache)
        self.fed.append(idx[0].tolist())
        logits = torch.full((1, self.config.vocab_size), float("-inf"))
        logits[0, self.script[len(self.fed) - 1]] = 0.0
        return logits


def byte_ids(text: str) -> list[int]:
    """Token ids of the raw bytes (ids 0-255 are the bytes themselves)."""
    return list(text.encode("utf-8"))


def run(model, tokenizer, prompt="Hi", **kwargs):
    """Collect the events of one generation."""
    events = list(stream_generate(model, tokenizer, prompt, **kwargs))
    assert isinstance(events[0], GenerationStart) and isinstance(events[-1], GenerationEnd)
    deltas = [e for e in events[1:-1] if isinstance(e, TextDelta)]
    assert len(deltas) == len(events) - 2
    assert "".join(d.text for d in deltas) == events[-1].text  # the stream spells the answer
    return events[0], deltas, events[-1]


def test_max_tokens_limits_length(tiny_config, tokenizer):
    model = ScriptedModel(tiny_config, byte_ids("abcdefgh")).eval()
    _, deltas, end = run(model, tokenizer, max_tokens=3, params=GREEDY)
    assert [d.text for d in deltas] == ["a", "b", "c"]
    assert (end.text, end.finish_reason, len(end.token_ids)) == ("abc", "length", 3)


@pytest.mark.parametrize("max_tokens", [0, -1, MAX_TOKENS_LIMIT + 1])
def test_max_tokens_out_of_range_is_rejected(tiny_model, tokenizer, max_tokens):
    with pytest.raises(ValueError, match="max_tokens"):
        list(stream_generate(tiny_model, tokenizer, "x", max_tokens=max_tokens))


def test_invalid_stop_sequences_are_rejected(tiny_model, tokenizer):
    with pytest.raises(ValueError, match="stop"):
        list(stream_generate(tiny_model, tokenizer, "x", stop=[""]))


def test_stop_sequence_is_not_returned(tiny_config, tokenizer):
    model = ScriptedModel(tiny_config, byte_ids("Hello\n\nWorld")).eval()
    _, deltas, end = run(model, tokenizer, max_tokens=20, params=GREEDY, stop=["\n\n"])
    assert end.text == "Hello"
    assert end.finish_reason == "stop" and end.stop_sequence == "\n\n"
    assert [d.text for d in deltas] == ["H", "e", "l", "l", "o", "", ""]  # the first "\n" waited
    assert len(end.token_ids) == 7


def test_possible_stop_start_is_held_back_then_released(tiny_config, tokenizer):
    model = ScriptedModel(tiny_config, byte_ids("AEN!")).eval()
    _, deltas, end = run(model, tokenizer, max_tokens=4, params=GREEDY, stop=["END"])
    assert [d.text for d in deltas] == ["A", "", "", "EN!"]
    assert (end.text, end.finish_reason) == ("AEN!", "length")


def test_held_back_stop_prefix_is_released_at_the_length_limit(tiny_config, tokenizer):
    model = ScriptedModel(tiny_config, byte_ids("AEN")).eval()
    _, deltas, end = run(model, tokenizer, max_tokens=2, params=GREEDY, stop=["END"])
    assert [d.text for d in deltas] == ["A", "E"]
    assert end.finish_reason == "length"


def test_earliest_of_several_stop_sequences_wins(tiny_config, tokenizer):
    model = ScriptedModel(tiny_config, byte_ids("one. two; three")).eval()
    _, _, end = run(model, tokenizer, max_tokens=15, params=GREEDY, stop=["three", ";", "."])
    assert (end.text, end.stop_sequence) == ("one", ".")


def test_incomplete_utf8_is_held_back(tiny_config, tokenizer):
    model = ScriptedModel(tiny_config, byte_ids("a☃b")).eval()  # ☃ is three bytes
    _, deltas, end = run(model, tokenizer, max_tokens=5, params=GREEDY)
    assert [d.text for d in deltas] == ["a", "", "", "☃", "b"]
    assert "\ufffd" not in end.text


def test_incomplete_utf8_at_the_end_is_dropped_not_replaced(tiny_config, tokenizer):
    model = ScriptedModel(tiny_config, byte_ids("a") + [0xE2, 0x98]).eval()
    _, _, end = run(model, tokenizer, max_tokens=3, params=GREEDY)
    assert end.text == "a" and len(end.token_ids) == 3


def test_invalid_utf8_byte_is_replaced_at_once(tiny_config, tokenizer):
    model = ScriptedModel(tiny_config, [0x98, ord("a")]).eval()  # a lone continuation byte
    _, deltas, _ = run(model, tokenizer, max_tokens=2, params=GREEDY)
    assert [d.text for d in deltas] == ["\ufffd", "a"]


def test_endoftext_token_stops(tiny_config, tokenizer):
    model = ScriptedModel(tiny_config, [*byte_ids("ok"), tokenizer.bot_id, ord("x")]).eval()
    _, _, end = run(model, tokenizer, max_tokens=10, params=GREEDY, stop=["k?"])
    assert (end.text, end.finish_reason, end.stop_sequence) == ("ok", "stop", None)
    assert end.token_ids[-1] == tokenizer.bot_id


def test_empty_prompt_starts_from_endoftext(tiny_config, tokenizer):
    model = ScriptedModel(tiny_config, byte_ids("abc")).eval()
    start, _, end = run(model, tokenizer, prompt="", max_tokens=2, params=GREEDY)
    assert model.fed[0] == [tokenizer.bot_id]
    assert (start.prompt_tokens, start.truncated, end.truncated) == (1, 0, 0)


def test_long_prompt_drops_oldest_tokens_and_says_how_many(tiny_config, tokenizer):
    prompt = "The cat sat on the mat. " * 12
    n = len(tokenizer.encode(prompt))
    assert n > tiny_config.context_length
    model = ScriptedModel(tiny_config, byte_ids("zz")).eval()
    start, _, end = run(model, tokenizer, prompt=prompt, max_tokens=1, params=GREEDY)
    assert start.truncated == end.truncated == n - tiny_config.context_length
    assert model.fed[0] == tokenizer.encode(prompt)[-tiny_config.context_length :]


def test_fit_prompt_examples(tokenizer):
    assert fit_prompt([5, 6, 7], 2, 0) == ([6, 7], 1)
    assert fit_prompt([5, 6], 2, 0) == ([5, 6], 0)
    assert fit_prompt([], 2, 9) == ([9], 0)


def test_stop_helpers():
    assert held_back_length("Hello\n", ["\n\n"]) == 1
    assert held_back_length("Hello", ["\n\n"]) == 0
    assert held_back_length("xEN", ["END", "NO"]) == 2
    assert find_stop("a END b", ["END", "b"]) == (2, "END")
    assert find_stop("abc", ["x"]) is None


def test_seeded_generation_reproduces(tiny_model, tokenizer):
    params = SamplingParams(temperature=1.0)
    a = generate(tiny_model, tokenizer, "The cat", max_tokens=12, params=params, seed=123)
    b = generate(tiny_model, tokenizer, "The cat", max_tokens=12, params=params, seed=123)
    assert a == b and a.seed == 123 and len(a.token_ids) == 12
    others = {
        tuple(generate(tiny_model, tokenizer, "The cat", max_tokens=12, seed=s).token_ids) for s in range(5)
    }
    assert len(others) > 1


def test_sliding_window_matches_recomputing_from_scratch(tiny_model, tiny_config, tokenizer):
    """Past the context, the cache is rebuilt so each step sees exactly the newest ctx tokens."""
    prompt = "the cat sat"
    result = generate(tiny_model, tokenizer, prompt, max_tokens=45, params=GREEDY, seed=0)
    tokens = tokenizer.encode(prompt)
    expected = []
    with torch.no_grad():
        for _ in range(45):
            window = torch.tensor([tokens[-tiny_config.context_length :]])
            logits, _ = tiny_model(window)
            nxt = int(torch.argmax(logits[0, -1]))
            if nxt == tokenizer.bot_id:
                break
            tokens.append(nxt)
            expected.append(nxt)
    assert result.token_ids[: len(expected)] == expected


def test_next_token_distribution(tiny_model, tokenizer):
    stages, truncated = next_token_distribution(tiny_model, tokenizer, "The cat", SamplingParams(top_k=5))
    assert truncated == 0
    assert len(stages.kept) == 5
    assert stages.original.shape == (tokenizer.vocab_size,)


@pytest.mark.parametrize("seed", [-1, 2**63, 1.5, True, "7"])
def test_seed_out_of_range_is_a_value_error(tiny_model, tokenizer, seed):
    with pytest.raises(ValueError, match="seed"):
        generate(tiny_model, tokenizer, "The cat", max_tokens=2, seed=seed)


def test_prompt_context_counts_the_prompt_but_never_the_start_token(tokenizer):
    from app.lm.generate import prompt_context

    empty = prompt_context(tokenizer, "", 8)
    assert empty.window == [tokenizer.bot_id] and empty.penalty_ids == [] and empty.truncated == 0
    ids = tokenizer.encode("The cat sat on the mat, and the cat sat again")
    cut = prompt_context(tokenizer, "The cat sat on the mat, and the cat sat again", 4)
    assert cut.window == ids[-4:] and cut.penalty_ids == ids[-4:] and cut.truncated == len(ids) - 4
