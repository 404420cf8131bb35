"""Acronyms and their expansions: "RLHF" and "reinforcement learning from human feedback" name one thing.

An answer that only spells out the question's acronyms ("RLHF is reinforcement learning from human feedback")
restates the question; app/quiz/echoes.py counts an acronym's expansion as the question's own words. Nothing
here is a list of known acronyms: an acronym is a word written with two or more capitals in the question or
its key points ("RLHF", "LLMs", "LoRA"), and a run of consecutive words expands it when their initial letters
spell it, case-insensitively. A hyphenated word gives either its first letter or one per part ("multi-layer
perceptron" for MLP, "generative pre-trained transformer" for GPT), and a short linking word may be passed
over ("reinforcement learning from human feedback" for RLHF) or used ("mixture of experts" for MoE).
"""

import re
from collections.abc import Iterable, Sequence
from functools import lru_cache

from app.quiz.sentences import FUNCTION_WORDS, words

# Written with two or more capitals, at most six letters, an optional plural "s": "RLHF", "LLMs", "LoRA".
_ACRONYM = re.compile(r"(?<![\w-])(?=(?:[a-z]*[A-Z]){2})([A-Za-z]{2,6}?)s?(?![\w])")
# Linking words an expansion may pass over without a letter of their own.
LINKS = frozenset("of from for to in on with by the a an".split())
MAX_LETTERS = 6


@lru_cache(maxsize=256)
def acronyms_in(text: str) -> frozenset[str]:
    """The acronyms written in a text, lower-case and singular: "Compare RLHF and LLMs" -> {rlhf, llm}."""
    return frozenset(match.group(1).lower() for match in _ACRONYM.finditer(text))


def _initials(word: str) -> list[str]:
    """The letters a word can give an acronym: its first, or one per hyphenated part ("fine-tuning": ft)."""
    parts = [part for part in word.split("-") if part]
    return [word[0], "".join(part[0] for part in parts)] if len(parts) > 1 else [word[0]]


def _expand(tokens: Sequence[str], start: int, acronym: str) -> int | None:
    """The end of a run of tokens from `start` whose initials spell the acronym, or None."""

    def match(index: int, letter: int) -> int | None:
        """The furthest end that spells acronym[letter:] from tokens[index:]."""
        if letter == len(acronym):
            return index
        if index == len(tokens) or tokens[index] in (acronym, acronym + "s"):
            return None
        token = tokens[index]
        if token in FUNCTION_WORDS and token not in LINKS:
            return None  # "attention is" spells no "AI"
        ends = [
            match(index + 1, letter + len(initials))
            for initials in _initials(token)
            if acronym.startswith(initials, letter)
        ]
        if letter and token in LINKS:
            ends.append(match(index + 1, letter))
        return max((end for end in ends if end is not None), default=None)

    end = match(start, 0)
    # An expansion starts and ends on a word of its own: "of experts" is no "MoE".
    if end is None or tokens[end - 1] in LINKS or tokens[start] in LINKS:
        return None
    return end


def expansions(text: str, acronyms: Iterable[str]) -> list[str]:
    """The words of the text that spell out one of the acronyms: ("RLHF is reinforcement learning from human
    feedback", {"rlhf"}) -> [reinforcement, learning, from, human, feedback]."""
    tokens = [token for token in words(text) if token[0].isalpha()]
    found: list[str] = []
    for acronym in acronyms:
        start = 0
        while start < len(tokens):
            end = _expand(tokens, start, acronym) if tokens[start][0] == acronym[0] else None
            if end is None:
                start += 1
                continue
            found += tokens[start:end]
            start = end
    return found


def abbreviates(word: str, text: str) -> bool:
    """Whether the word is an acronym of consecutive words of the text ("rag" of "retrieval-augmented
    generation"): the question's own term, abbreviated."""
    word = word.lower().removesuffix("s") if len(word) > 2 else word.lower()
    return word.isalpha() and word not in FUNCTION_WORDS and word in _spellable(text)


@lru_cache(maxsize=256)
def _spellable(text: str) -> frozenset[str]:
    """Every acronym (2 to MAX_LETTERS letters) that a run of the text's words spells, by the rules of
    `expansions`: what a word must be among to abbreviate the text (computed once per text)."""
    tokens = [token for token in words(text) if token[0].isalpha()]
    found: set[str] = set()

    def extend(index: int, spelled: str) -> None:
        if index == len(tokens):
            return
        token = tokens[index]
        if token in FUNCTION_WORDS and token not in LINKS:
            return
        for initials in _initials(token):
            longer = spelled + initials
            if len(longer) <= MAX_LETTERS:
                if len(longer) >= 2 and token not in LINKS:
                    found.add(longer)
                extend(index + 1, longer)
        if spelled and token in LINKS:
            extend(index + 1, spelled)

    for start, token in enumerate(tokens):
        if token not in LINKS:
            extend(start, "")
    return frozenset(found)


def known_terms(question: str, points: Sequence[str] = ()) -> frozenset[str]:
    """The acronyms that the question and its key points write out: what an answer might expand."""
    return acronyms_in(question).union(*(acronyms_in(point) for point in points))
