"""An answer as sentences and clauses, and whether a clause is a sentence (has a verb) or a word list.

No part-of-speech tagger ships its model inside a PyPI wheel that the lab could install offline, so "has a
verb" is a small heuristic over English's closed word classes (auxiliaries, pronouns, determiners,
prepositions) plus a list of verbs common in answers about LLMs. It is deliberately hard on word lists: a
clause counts as a sentence when it has an auxiliary or modal ("is", "can", "doesn't"), or a verb-looking
word together with at least one function word. "query key value dot product softmax" has neither;
"Temperature divides the logits" has both. A tagger would do this better; tests/quiz/test_sentences.py pins
the cases that matter.
"""

import re

# A sentence ends at . ! ? or ; before a space (not after "e.g." or "vs."), or at a line break.
_SENTENCE_END = re.compile(r"(?<=[.!?;])(?<!e\.g\.)(?<!i\.e\.)(?<!vs\.)(?<!etc\.)\s+|\n+")
# Clause boundaries inside a sentence: a colon, a dash, or a comma before a conjunction that starts a clause.
_CLAUSE = re.compile(
    r":\s+|\s+[-–—]{1,2}\s+"
    r"|,\s+(?=(?:and|but|so|then|while|whereas|which|because|since|although|though|yet)\b)"
    # two sentences joined by a comma: "Q, K and V aren't the embedding, they're projections of it"
    r"|,\s+(?=(?:it|they|we|you)(?:['’](?:s|re)|\s+(?:is|are|was|were|can|will|do|does|has|have))\b)"
    r"|\s+(?=(?:but|whereas|while|because|although)\s)"
    r"|\s+(?=and\s+(?:as|when|if|it|they|we|you|this|that|then|high|low|higher|lower|above|below)\s)",
    re.IGNORECASE,
)
_WORD = re.compile(r"[a-z0-9]+(?:[-'’][a-z0-9]+)*", re.IGNORECASE)

AUXILIARIES = frozenset(
    """is are was were be been being am isn't aren't wasn't weren't 's 're 've 'd 'll 'm can can't
    cannot could couldn't will won't would wouldn't should shouldn't must mustn't may might shall do
    does did don't doesn't didn't has have had hasn't haven't hadn't isnt arent wasnt cant couldnt
    wont wouldnt shouldnt dont doesnt didnt hasnt havent""".split()
)
PRONOUNS = frozenset("it they we you i he she which who".split())
# "'s" is "is" or "has" after these; after a noun it is a possessive ("the model's weights").
_S_IS = frozenset("it that there what here he she who which let".split())
DETERMINERS = frozenset(
    """the a an this that these those each every any some no its their his her our your my all both
    another""".split()
)
PREPOSITIONS = frozenset(
    """of to in on at by for with from into onto over under between through before after about than as
    per via within without across against along among around during toward towards until upon like""".split()
)
SUBORDINATORS = frozenset(
    """because since so which who whom whose that when while where whereas if unless although though
    whether""".split()
)
FUNCTION_WORDS = DETERMINERS | PREPOSITIONS | SUBORDINATORS | PRONOUNS | AUXILIARIES
# Base forms of verbs that answers about LLMs use; with the endings below they cover "divides", "attended"...
VERBS = frozenset(
    """act add adapt affect align allow appear apply arise ask attend avoid batch become begin belong
    bill blow break build cache call cap fix come emerge exist match remain seem share capture carry
    critique evaluate ground host label rate revise reward tune verify cause change charge check
    choose chunk compare compute concentrate contain continue convert cost count cover create cut
    decide decode define depend describe determine differ divide double drop eat embed enable encode
    end explain fail fall feed fill find fit flatten focus follow forget generate get give go grow
    guess handle happen help hide hit hold ignore improve include increase keep know land lead learn
    let limit look lose lower make map mark mask matter mean measure merge miss mix move multiply
    need normalize optimize output pass pay pick point predict prefer process produce project prune
    pull push put quadruple raise rank reach read reduce rely remember remove renormalize repeat
    replace rescale resend retrieve return reuse route run sample scale score see select send set
    sharpen shift shrink skip slow solve sort spell split spread stack start stay stop store sum
    summarize support take teach tell tend think train transform treat trim try turn understand
    update use vary want waste weigh work write""".split()
)
# Past forms that are seldom a bare participle in a noun phrase ("lost in the middle" is not a statement).
IRREGULAR_VERBS = frozenset(
    """began came did does drew fed fell felt gave gets got grew had knew learnt made meant met paid
    ran said sat saw sent shrank sold spent stood taught thought told took went won wrote""".split()
)


def split_sentences(text: str) -> list[str]:
    """The answer's sentences, in order: "It is. So?" -> ["It is.", "So?"] (a semicolon also ends one)."""
    return [piece.strip() for piece in _SENTENCE_END.split(text) if piece and piece.strip(" .;,")]


def split_clauses(sentence: str) -> list[str]:
    """A sentence's clauses: "A is x, and B is y" -> ["A is x", "and B is y"] (each keeps its conjunction)."""
    pieces = [piece.strip(" ,;.") for piece in _CLAUSE.split(sentence)]
    return [piece for piece in pieces if piece]


_OBJECT_STARTS = DETERMINERS | PRONOUNS | frozenset("them up out down only".split())


# Contractions typed without the apostrophe: "thats", "whats"; "its" before an article is "it's".
_BARE_CONTRACTIONS = re.compile(
    r"\b(that|what|there|here)s\b|\b(it)s(?=\s+(?:the|a|an|not|just|basically)\b)"
)


# Five letters or more before "-ise", and no "-vise": "raise", "arise" and "supervise" stay as they are.
_BRITISH = re.compile(r"(?<=[a-z]{5})(?<!v)is(e|es|ed|ing|ation|ations|er|ers)\b")


def british_to_american(text: str) -> str:
    """ "summarise", "normalised", "tokenisation" -> "summarize", "normalized", "tokenization"."""
    return _BRITISH.sub(r"iz\1", text)


def words(text: str) -> list[str]:
    """Lower-case words (apostrophes normalised, contractions split): "It's" -> ["it", "'s"]."""
    result = []
    text = _BARE_CONTRACTIONS.sub(lambda m: (m.group(1) or m.group(2)) + "'s", text.lower().replace("’", "'"))
    for raw in _WORD.findall(text):
        stem, apostrophe, tail = raw.partition("'")
        if apostrophe and tail == "s" and stem not in _S_IS:
            result.append(stem)  # a possessive
        elif apostrophe and tail in ("s", "re", "ve", "d", "ll", "m"):
            result += [stem, "'" + tail]
        elif apostrophe and tail == "t" and stem.endswith("n"):
            result.append(raw)  # "doesn't", "can't" are auxiliaries as they are
        else:
            result.append(raw)
    return result


def stem(word: str) -> str:
    """A crude stem, enough to compare an answer's words with the question's: "replaced" -> "replac"."""
    for suffix in ("ies", "ing", "es", "ed", "s"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3 and not word.endswith("ss"):
            word = word[: -len(suffix)] + ("y" if suffix == "ies" else "")
            break
    return word[:-1] if word.endswith("e") and len(word) > 4 else word


def _looks_like_verb(word: str, previous: str | None) -> bool:
    """A lexical verb form not right after a determiner or preposition ("the process" is a noun)."""
    if previous is not None and (previous in DETERMINERS or previous in PREPOSITIONS):
        return False
    if word in IRREGULAR_VERBS or word in VERBS and previous is not None:
        return True
    endings = (("ies", "y"), ("es", ""), ("es", "e"), ("s", ""), ("ed", ""), ("ed", "e"), ("d", ""))
    for suffix, restore in endings:
        if word.endswith(suffix) and word[: -len(suffix)] + restore in VERBS:
            return True
    # "-ed" on an unknown word ("tokenized", "normalized") reads as a verb or participle.
    return previous is not None and word.endswith("ed") and len(word) > 4


def _is_word_list(clause: str) -> bool:
    """Three or more comma-separated items, mostly of three words or fewer, none with an auxiliary or a
    pronoun ("attention between tokens, layer norm, residual connections"), or one such item among five or
    more: "spelling, counting, spell it out, code tool" lists a phrase with a verb, it does not say it."""
    items = [words(item) for item in clause.split(",")]
    with_verb = sum(any(token in AUXILIARIES or token in PRONOUNS for token in item) for item in items)
    if len(items) < 3 or with_verb > (1 if len(items) >= 5 else 0):
        return False
    return sum(len(item) <= 3 for item in items) * 3 >= len(items) * 2


def is_sentence(clause: str) -> bool:
    """Whether the clause makes a statement (has a verb), as opposed to a list of words.

    "RNNs are sequential" and "it divides the logits" are sentences; "query key value softmax weights" and
    "tokens not characters, token IDs, embeddings" are not.
    """
    tokens = [british_to_american(token) for token in words(clause)]  # "summarise" is a verb too
    if _is_word_list(clause):
        return False
    if any(token in AUXILIARIES for token in tokens):
        return True
    has_function_word = any(token in FUNCTION_WORDS for token in tokens)
    for index, token in enumerate(tokens):
        previous = tokens[index - 1] if index else None
        if index == 1 and previous in ("this", "that", "these", "those"):
            previous = "it"  # a demonstrative that starts the clause is its subject: "That enables search"
        if previous in PRONOUNS and token not in FUNCTION_WORDS:
            return True  # "it divides", "we use", "they attend"
        if index == 0 and token in VERBS and len(tokens) > 2 and tokens[1] in _OBJECT_STARTS:
            return True  # an imperative: "Use a small model", "Ask it to spell"
        if has_function_word and _looks_like_verb(token, previous):
            return True
    return False


def marked_segments(text: str, marked: list[str]) -> list[tuple[str, bool]]:
    """The text in pieces, each marked when it is one of the `marked` sentences (found where they occur).

    marked_segments("A is. B is.", ["B is."]) -> [("A is. ", False), ("B is.", True)]
    """
    spans = sorted(
        (start, start + len(sentence))
        for sentence in dict.fromkeys(marked)
        if sentence and (start := text.find(sentence)) >= 0
    )
    segments, position = [], 0
    for start, end in spans:
        if start < position:  # overlaps the previous mark: extend it
            start = position
        if end <= position:
            continue
        if start > position:
            segments.append((text[position:start], False))
        segments.append((text[start:end], True))
        position = end
    if position < len(text):
        segments.append((text[position:], False))
    return segments
