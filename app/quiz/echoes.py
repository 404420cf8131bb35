"""Echoes: a sentence that says the question, or a key point's wording, back instead of answering.

Two tests, both on words (an echo is about wording, and the sentence model rates a restated question close to
its answer):

- the question: at least ECHO_SHARE of the sentence's content words (stemmed, fillers and function words set
  aside) come from the question, and at least two do: "Transformers replaced RNNs because they are better" to
  "Why did transformers replace RNNs?". The question's terms include their spelled-out and abbreviated forms
  (app/quiz/acronyms.py): "RLHF is reinforcement learning from human feedback" and "SFT stands for supervised
  fine-tuning" restate a question that names RLHF or SFT, and the words that say "X is short for" add nothing;
- a key point: the sentence repeats at least RUN_SHARE of the point's words as one run (five words or
  more) and adds at most one content word of its own: a key point pasted back from the feedback. One such
  sentence may be a coincidence (a learner can word a point as the rubric does); the grader calls it an
  echo when two or more key points come back like this.
"""

from collections.abc import Sequence

from app.quiz.acronyms import abbreviates, expansions, known_terms
from app.quiz.sentences import FUNCTION_WORDS, stem, words

ECHO_SHARE = 0.8
RUN_SHARE = 0.8
MIN_RUN = 5
# Words that carry no claim of their own: restating a question with them adds nothing.
FILLERS = frozenset(
    """also and or but then just really basically actually very quite mostly simply thing things stuff
    way ways lot lots people someone something do doing done make makes made good better best bad
    worse worst important matter matters question answer why how what when where whether yes not no
    because about here there these those other others well much many more most less""".split()
)
# Words that say a term is short for its expansion: they add nothing to a sentence that spells one out.
DEFINING = frozenset(
    """stand stands stood mean means meant short abbreviation abbreviates abbreviated acronym acronyms
    call calls called refer refers name names named letter letters expand expands expanded expansion
    full form""".split()
)


def content_words(text: str) -> list[str]:
    """The stemmed words that carry content: "Transformers replaced RNNs" -> [transformer, replac, rnn]."""
    return [stem(word) for word in words(text) if word not in FUNCTION_WORDS and word not in FILLERS]


def echoes_question(sentence: str, question: str, points: Sequence[str] = ()) -> bool:
    """Whether the sentence mostly restates the question (its terms spelled out or abbreviated included);
    `points` are the key points, whose acronyms an answer may spell out too."""
    spelled = expansions(sentence, known_terms(question, points))
    known = set(content_words(question)) | {stem(word) for word in spelled}
    mine = set()
    for word in words(sentence):
        if word in FUNCTION_WORDS or word in FILLERS or spelled and word in DEFINING:
            continue
        if abbreviates(word, question) or spelled and _spells_out(word, spelled):
            known.add(stem(word))
        mine.add(stem(word))
    shared = mine & known
    return len(shared) >= 2 and len(shared) >= ECHO_SHARE * len(mine)


def _spells_out(word: str, spelled: Sequence[str]) -> bool:
    """Whether the word abbreviates the spelled-out words ("PPO" beside "proximal policy optimization")."""
    return abbreviates(word, " ".join(spelled))


def _longest_run(a: Sequence[str], b: Sequence[str]) -> int:
    """Length of the longest run of words that a and b share, in order (dynamic programming)."""
    best, previous = 0, [0] * (len(b) + 1)
    for word in a:
        current = [0] * (len(b) + 1)
        for j, other in enumerate(b, start=1):
            if word == other:
                current[j] = previous[j - 1] + 1
                best = max(best, current[j])
        previous = current
    return best


def echoes_point(sentence: str, point: str, question: str) -> bool:
    """Whether the sentence is a key point's wording pasted back (see the module docstring)."""
    point_words = words(point)
    run = _longest_run(words(sentence), point_words)
    if run < MIN_RUN or run < RUN_SHARE * len(point_words):
        return False
    known = set(content_words(point)) | set(content_words(question))
    return len(set(content_words(sentence)) - known) <= 1
