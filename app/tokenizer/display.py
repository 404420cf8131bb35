"""How the lab prints token text: bytes that are not whole characters, whitespace, invisible characters.

One set of rules for every view of tokens (the playground, the BPE trainer, generated quiz questions):
a token's text must never look like something else, vanish, or reorder the text around it.
"""

import regex

# Unicode format characters (category Cf): zero-width space and joiners, the byte-order mark, soft
# hyphen, word joiner and the bidi controls (U+202A-U+202E, U+2066-U+2069, U+200E/U+200F). They draw
# nothing, and a bidi override reorders whatever follows it, so each is shown by its code point.
FORMAT_CHARACTER = regex.compile(r"\p{Cf}")

WHITESPACE_MARKS = {" ": "·", "\t": "→", "\r": "␍", "\n": "↵"}
_WHITESPACE = {ord(char): mark for char, mark in WHITESPACE_MARKS.items()}
_WHITESPACE_KEEPING_NEWLINES = _WHITESPACE | {ord("\n"): "↵\n"}


def show_bytes(raw: bytes) -> str:
    """Readable token bytes: the text, or the hex of bytes that are not whole UTF-8 characters.

    Example: ``show_bytes(b"cat") -> "cat"``, ``show_bytes(b"\\xe3\\x81") -> "‹e3 81›"``
    """
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return f"‹{raw.hex(' ')}›"


def show_format_characters(text: str) -> str:
    """The text with each invisible format character (Unicode Cf) written as its code point.

    Example: ``show_format_characters("a\\u200bb") -> "a‹U+200B›b"``
    """
    return FORMAT_CHARACTER.sub(lambda match: f"‹U+{ord(match[0]):04X}›", text)


def show_whitespace(text: str, *, keep_newlines: bool = False) -> str:
    """The text with spaces, tabs, carriage returns, newlines and format characters made visible.

    `keep_newlines` keeps each newline after its mark, for views that wrap lines as typed.
    Example: ``show_whitespace("a b\\n") -> "a·b↵"``, ``show_whitespace("\\u200b") -> "‹U+200B›"``
    """
    table = _WHITESPACE_KEEPING_NEWLINES if keep_newlines else _WHITESPACE
    return show_format_characters(text).translate(table)
