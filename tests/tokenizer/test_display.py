"""How token text is printed: one set of rules for whitespace and invisible characters in every view."""

import pytest

from app.tokenizer.display import show_bytes, show_format_characters, show_whitespace
from app.tokenizer.encodings import TokenPiece


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("a\u200bb", "a‹U+200B›b"),  # zero-width space
        ("\ufeff", "‹U+FEFF›"),  # byte-order mark
        ("\u200e", "‹U+200E›"),  # left-to-right mark
        ("soft\u00adhyphen", "soft‹U+00AD›hyphen"),
        ("x\u200dy", "x‹U+200D›y"),  # zero-width joiner
        ("\u202eabc", "‹U+202E›abc"),  # right-to-left override
        ("a\u2060b", "a‹U+2060›b"),  # word joiner
        ("\U000e0067", "‹U+E0067›"),  # a tag character, beyond the BMP
        ("plain text, é, 日本", "plain text, é, 日本"),
    ],
)
def test_format_characters_are_shown_by_code_point(text, shown):
    assert show_format_characters(text) == shown


@pytest.mark.parametrize(
    ("text", "keep", "shown"),
    [
        ("a b\n", False, "a·b↵"),
        ("a b\n", True, "a·b↵\n"),
        ("\t\r\n", False, "→␍↵"),
        (" \u200b ", False, "·‹U+200B›·"),
    ],
)
def test_show_whitespace(text, keep, shown):
    assert show_whitespace(text, keep_newlines=keep) == shown


def test_show_bytes_gives_hex_for_part_of_a_character():
    assert show_bytes("é".encode()[:1]) == "‹c3›"
    assert show_bytes(b"cat") == "cat"


@pytest.mark.parametrize("char", ["\u200b", "\ufeff", "\u200e", "\u00ad", "\u200d", "\u202e", "\u2060"])
def test_a_token_of_a_format_character_is_never_invisible(char):
    piece = TokenPiece(id=1, raw=f"a{char}".encode(), special=False)
    code = f"‹U+{ord(char):04X}›"
    assert piece.shown == f"a{code}"
    assert piece.shown_with_whitespace == f"a{code}"
    assert piece.visible_text == f"a{code}"
    assert piece.text == f"a{char}" and not piece.partial  # the API's text stays the real text


def test_partial_tokens_still_show_hex_with_or_without_whitespace():
    piece = TokenPiece(id=1, raw=b"\xe2\x80", special=False)  # the first two bytes of U+200B
    assert piece.partial
    assert piece.shown == piece.shown_with_whitespace == "‹e2 80›"
