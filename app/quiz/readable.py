"""What the grader can read of an answer: prose in English. Code, other languages and bare punctuation get a
message instead of a grade, and the message says what to do."""

import re

from app.quiz.sentences import FUNCTION_WORDS, words

NO_WORDS = "There are no words here to grade. Answer in sentences, as you would aloud."
ONLY_CODE = (
    "This looks like code, and an interviewer asked you to explain. Answer in sentences, as you would aloud; "
    "a line of code can back them up."
)
NOT_ENGLISH = "The grader reads English only. Answer in English, in sentences, as you would aloud."

_FENCE = re.compile(r"```.*?(?:```|\Z)", re.DOTALL)
_CODE_START = re.compile(
    r"^\s*(?:def |class |import |from \S+ import |return\b|for \S+ in |while |if .*:\s*$|elif |else:|print\(|"
    r"#include|public |private |function |const |let |var |SELECT |>>>|\$ )"
)
_CODE_CHARS = re.compile(r"[(){}\[\];=<>_@#|\\^*]")
# Function words of the languages a learner here is likeliest to answer in instead of English.
_FOREIGN = frozenset(
    """le la les des du un une est et dans pour avec sur qui que pas ce sont der die das und ist nicht mit ein
    eine den dem von zu auf sich auch el los las es y en por con para una que del se lo il di che non per sono
    gli della uma não com os um para""".split()
)


def _is_code_line(line: str) -> bool:
    """A line of code: a statement keyword at its start, or dense with brackets, operators and semicolons."""
    stripped = line.strip()
    if not stripped:
        return False
    if _CODE_START.match(stripped) or stripped.endswith(("{", "}", ";")):
        return True
    symbols = len(_CODE_CHARS.findall(stripped))
    return symbols >= 3 and symbols >= 0.08 * len(stripped) and not stripped.endswith((".", "?", "!"))


def prose(text: str) -> str:
    """The answer without fenced code blocks and code lines: what the grader reads."""
    lines = _FENCE.sub("\n", text).splitlines()
    return "\n".join(line for line in lines if not _is_code_line(line)).strip()


def is_english(text: str) -> bool:
    """Mostly Latin letters, and no more function words of French, German, Spanish, Italian or Portuguese
    than of English."""
    letters = [char for char in text if char.isalpha()]
    if sum(char.isascii() for char in letters) < 0.7 * len(letters):
        return False
    tokens = words(text)
    foreign = sum(token in _FOREIGN and token not in FUNCTION_WORDS for token in tokens)
    english = sum(token in FUNCTION_WORDS for token in tokens)
    return foreign < 3 or english > foreign


def unreadable_reason(text: str) -> str | None:
    """Why the answer cannot be graded (a message for the learner), or None when it can."""
    if not any(char.isalpha() for char in text):
        return NO_WORDS
    readable = prose(text)
    if not any(char.isalpha() for char in readable):
        return ONLY_CODE
    if not is_english(readable):
        return NOT_ENGLISH
    return None
