"""Does an answer assert one of its topic's common wrong claims? Cues, negation, and the sentence model.

all-MiniLM-L6-v2 cannot tell a wrong claim from the right one on its own: "Attention cost grows linearly with
the sequence length" and "Attention cost is quadratic in sequence length" are 0.93 apart in cosine, and adding
"not" barely moves a sentence. So each misconception in content/questions names its cues, the words that make
it wrong ("linear*", "doubles the cost"), and a clause asserts it when:

- it is about the claim's topic (cosine to the claim or to the right claim >= TOPIC), and
- it contains every part of one cue, in order, with the cue's polarity: a plain cue needs an affirmative
  clause, a "not ..." cue a negated one ("Attention cost is not linear" does not assert "linear*";
  "transformers are NOT parallel" asserts "transformer*+not parallel*"; a verdict that turns down what the
  clause names counts as a "not": "the largest model would be overkill"). A "not" counts only in the part of
  the clause around the cue that no "so", "because", "which"... cuts off: in "FlashAttention works by
  approximating the scores, so you don't compute them all" the "don't" is the second part's,
- after a contrast is set aside: in "quadratic, not linear", "rather than linear" or "instead of linear" the
  contrasted words are what the learner rejects, not what they claim.

Questions ("Is it linear?") and sentences that name a misconception as one ("a common myth is that...") assert
nothing. tests/quiz/test_misconceptions.py pins these rules.
"""

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Protocol

import numpy as np

from app.quiz.sentences import split_clauses, split_sentences, words

MAX_GAP = 60  # characters between two parts of a cue
TOPIC = 0.3  # calibrated on tests/quiz/calibration.yaml (see test_calibration.py)

NEGATORS = frozenset(
    """not no never none nothing neither without cannot nobody nowhere isn't aren't wasn't weren't can't
    couldn't won't wouldn't shouldn't mustn't don't doesn't didn't hasn't haven't hadn't isnt arent wasnt cant
    couldnt wont wouldnt shouldnt dont doesnt didnt hasnt havent""".split()
)
# Phrases with a negative word that negate nothing ("nor" is not a negator: "neither... nor" is one).
_NOT_NEGATING = re.compile(r"\b(?:no matter|not only|not just|no doubt|nothing but|no less than)\b")
# A contrast: what follows is rejected, not claimed ("quadratic, not linear"; "rather than linear").
_CONTRAST = re.compile(
    r"(?:,|\band)\s*(?:but\s+)?not\s+[^,;:]*|\b(?:rather than|instead of|as opposed to|unlike)\s+[^,;:]*"
    r"|\bnot\s+[^,;:]*?\s+but\s+",
)
_DISAVOWAL = re.compile(
    r"\b(?:myths?|misconceptions?|mistaken(?:ly)?|wrongly|incorrectly|contrary to|(?:it is|it's|is) wrong|"
    r"would be wrong|people (?:often |sometimes )?(?:think|believe|assume|say)|a common (?:error|belief))\b"
)


class MisconceptionLike(Protocol):
    """What the detector reads of a misconception (app.quiz.bank.Misconception)."""

    claim: str
    right: str
    cues: list[str]


def strip_contrast(clause: str) -> str:
    """The clause without what it contrasts away: "quadratic, not linear" -> "quadratic"."""
    return " ".join(_CONTRAST.sub(" ", clause.lower()).split()).strip(" ,;:")


def negated(clause: str) -> bool:
    """Whether the clause, contrasts set aside, is negated (an odd number of negative words)."""
    text = _NOT_NEGATING.sub(" ", strip_contrast(clause))
    return sum(word in NEGATORS for word in words(text)) % 2 == 1


# A verdict that turns down what the clause names: "the largest model would be overkill" names the wrong
# choice to reject it, as "would not be right" does.
_REJECTING = re.compile(
    r"\b(?:overkill|(?:a )?waste(?:ful)?|(?:a )?breach(?:es)?|burn(?:s|ing)? (?:money|cash)|a bad idea|"
    r"a poor (?:guide|choice|fit|idea|proxy)|too (?:expensive|slow|costly)|illegal|"
    r"a mistake)\b"
)


def rejects(clause: str) -> bool:
    """Whether the clause, contrasts set aside, turns down what it names (see _REJECTING)."""
    return _REJECTING.search(strip_contrast(clause)) is not None


def _polarity(clause: str) -> bool:
    """The whole clause's polarity, negated or turned down (a clause read after the one before it)."""
    return negated(clause) != rejects(clause)


def is_assertion(sentence: str) -> bool:
    """A sentence that claims something: not a question, and not one that names a claim as a myth."""
    return not sentence.rstrip().endswith("?") and not _DISAVOWAL.search(sentence.lower())


@dataclass(frozen=True)
class _Cue:
    parts: tuple[re.Pattern, ...]
    negative: bool

    def span(self, text: str) -> tuple[int, int] | None:
        """Where the text shows every part, in order and each near the one before (start, end), or None:
        "dpo+reward model" is not shown by "a reward model, unlike DPO", nor by two parts at the two ends of
        a long clause."""
        first = self.parts[0].search(text)
        if first is None:
            return None
        position = first.end()
        for part in self.parts[1:]:
            match = part.search(text, position, position + MAX_GAP + 80)
            if match is None or match.start() - position > MAX_GAP:
                return None
            position = match.end()
        return first.start(), position

    def found_in(self, text: str) -> bool:
        """Whether the text shows the cue (see span)."""
        return self.span(text) is not None


# Words that do not change a claim may stand between a cue's words: "a token is basically one word" says
# "token is one word", "where the tokens swap" says "where tokens".
FILLERS = r"(?:(?:the|a|an|basically|actually|really|just|simply|essentially|always|usually|generally)\W+)*"


def _word_pattern(word: str) -> str:
    if word.endswith("*"):
        return re.escape(word[:-1]) + r"[a-z0-9'’-]*"
    return re.escape(word) + r"(?![a-z0-9])"


@lru_cache(maxsize=4096)
def _compile(cue: str) -> _Cue:
    negative = False
    parts = []
    for part in cue.split("+"):
        part = part.strip()
        if part.startswith("not "):  # the whole cue then needs a negated clause
            negative, part = True, part[4:]
        body = (r"\W+" + FILLERS).join(_word_pattern(word) for word in part.split())
        parts.append(re.compile(r"(?<![a-z0-9])" + body))
    return _Cue(parts=tuple(parts), negative=negative)


# Words that open a clause inside the clause: a negation beyond one belongs to that inner clause.
_INNER_CLAUSE = re.compile(
    r"\b(?:so|because|since|which|while|whereas|where|when|although|though|unless|until)\b"
)
# A verdict counts only within the phrase of what it judges: a comma, semicolon or colon ends it.
_PHRASE_BREAK = re.compile(r"[,;:]")


def _scope(text: str, start: int, end: int, breaks: re.Pattern = _INNER_CLAUSE) -> str:
    """The part of the text around [start, end) that nothing matching `breaks` cuts off."""
    left = max((m.end() for m in breaks.finditer(text, 0, start)), default=0)
    right = next((m.start() for m in breaks.finditer(text, end)), len(text))
    return text[left:right]


def _cue_polarity(text: str, start: int, end: int) -> bool:
    """The polarity of a cue found at [start, end): a "not" in its inner clause, a verdict that turns it
    down within its phrase ("a small model is a waste, the largest model is right" keeps the second)."""
    return negated(_scope(text, start, end)) != rejects(_scope(text, start, end, _PHRASE_BREAK))


def matching_cue(clause: str, cues: Sequence[str], *, context: str | None = None) -> str | None:
    """The first cue the clause (or `context`: the clause after what it refers to) shows with the cue's
    polarity: that of the cue's own part of the clause, or of the whole clause when read with its context."""
    text = strip_contrast(context or clause)
    for cue in cues:
        compiled = _compile(cue)
        where = compiled.span(text)
        if where is None:
            continue
        polarity = _polarity(clause) if context else _cue_polarity(text, *where)
        if compiled.negative == polarity:
            return cue
    return None


def asserts(text: str, cues: Sequence[str]) -> bool:
    """Whether a clause of the text shows one of the cues (the text test alone, without the topic check)."""
    clauses = [(clause, sentence) for sentence in split_sentences(text) for clause in split_clauses(sentence)]
    return any(
        is_assertion(clauses[row][1]) and _cue_in(clauses, row, cues) is not None
        for row in range(len(clauses))
    )


@dataclass(frozen=True)
class Asserted:
    """A misconception the answer asserts: which one, and the learner's sentence that asserts it."""

    index: int
    claim: str
    right: str
    sentence: str
    cue: str


# A clause whose subject is a pronoun ("..., but it's affected by length"; "..., that's the standard") is
# about what the clause before names: its cues are sought in the two together, its polarity in the clause
# alone.
_PRONOUN_START = re.compile(
    r"^(?:(?:and|but|so|because|since|while|whereas|though|although|yet)\s+)?(?:it|they|this|that)(?![a-z0-9])"
)


def _with_antecedent(clauses: Sequence[tuple[str, str]], row: int) -> str | None:
    """The clause before this one (in the same sentence) when this one's subject is a pronoun, else None."""
    clause, sentence = clauses[row]
    if row == 0 or clauses[row - 1][1] != sentence or not _PRONOUN_START.match(clause.lower()):
        return None
    return clauses[row - 1][0]


def _cue_in(clauses: Sequence[tuple[str, str]], row: int, cues: Sequence[str]) -> str | None:
    """The cue a clause shows, read alone or, if its subject is a pronoun, after the clause before it."""
    clause = clauses[row][0]
    cue = matching_cue(clause, cues)
    antecedent = _with_antecedent(clauses, row)
    if cue is None and antecedent is not None:
        # only cues that need both: one the clause before shows alone was judged there, with its polarity
        before = strip_contrast(antecedent)
        spanning = [c for c in cues if not _compile(c).found_in(before)]
        cue = matching_cue(clause, spanning, context=antecedent + " " + clause)
    return cue


def find_misconceptions(
    misconceptions: Sequence[MisconceptionLike],
    clauses: Sequence[tuple[str, str]],
    clause_vectors: np.ndarray,
    claim_vectors: np.ndarray,
    *,
    topic: float = TOPIC,
) -> list[Asserted]:
    """The misconceptions asserted by the answer's clauses, each once.

    `clauses` are (clause, its sentence) pairs with their embeddings in `clause_vectors`; `claim_vectors`
    holds each misconception's claim then its right claim, in order (2 rows per misconception).
    """
    found: list[Asserted] = []
    if not clauses:
        return found
    topical = (clause_vectors @ claim_vectors.T).reshape(len(clauses), len(misconceptions), 2).max(axis=2)
    for index, misconception in enumerate(misconceptions):
        for row, (_, sentence) in enumerate(clauses):
            if topical[row, index] < topic or not is_assertion(sentence):
                continue
            cue = _cue_in(clauses, row, misconception.cues)
            if cue is not None:
                found.append(Asserted(index, misconception.claim, misconception.right, sentence, cue))
                break
    return found
