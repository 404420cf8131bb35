"""LabTokenizer: round trips on odd Unicode, the special token, and loading from a rank file."""

import pytest

from app.lm.bpe import write_tiktoken_ranks
from app.lm.tokenizer import ENDOFTEXT, LabTokenizer

ODD_STRINGS = [
    "",
    "plain ASCII text.",
    "👩‍👩‍👧‍👦 family (ZWJ sequence)",
    "🇺🇳🏳️‍🌈 flags and variation selectors",
    "e\u0301 a\u0308\u0304 Z\u0351\u0352\u0353 combining marks",
    "\u200fمرحبا\u200e RTL and LTR marks \u202e override",
    "NUL \x00 and other controls \x01\x7f\x1b[0m",
    "中文字符 日本語 한국어 CJK",
    "\ufeffBOM, \u00a0no-break space, \u2028line separator",
    "💩" * 7 + "\U0010ffff max code point",
    "\r\n\r\n\t  trailing   ",
    "<|endoftext|> typed by a user",
]


@pytest.mark.parametrize("text", ODD_STRINGS)
def test_round_trip(tokenizer, text):
    ids = tokenizer.encode(text)
    assert tokenizer.decode(ids) == text
    assert b"".join(tokenizer.token_bytes(i) for i in ids) == text.encode("utf-8")


def test_typed_special_token_text_is_plain_text(tokenizer):
    ids = tokenizer.encode(ENDOFTEXT)
    assert tokenizer.bot_id not in ids
    assert len(ids) > 1


def test_bos_and_special_token(tokenizer):
    assert tokenizer.encode("hi", bos=True)[0] == tokenizer.bot_id
    assert tokenizer.bot_id == tokenizer.eot_id == tokenizer.vocab_size - 1
    assert tokenizer.token_bytes(tokenizer.bot_id) == ENDOFTEXT.encode()
    assert tokenizer.decode([tokenizer.bot_id]) == ENDOFTEXT


def test_lone_surrogate_becomes_replacement_character(tokenizer):
    assert tokenizer.decode(tokenizer.encode("a\ud800b")) == "a\ufffdb"


def test_partial_utf8_token_decodes_with_replacement(tokenizer):
    first_byte_of_snowman = tokenizer.encode("☃")[0]
    assert tokenizer.token_bytes(first_byte_of_snowman) == b"\xe2"
    assert tokenizer.decode([first_byte_of_snowman]) == "\ufffd"


def test_token_bytes_rejects_unknown_ids(tokenizer):
    with pytest.raises(ValueError, match="outside"):
        tokenizer.token_bytes(tokenizer.vocab_size)


def test_from_file_matches_original(tokenizer, tmp_path):
    path = tmp_path / "tok.tiktoken"
    write_tiktoken_ranks(tokenizer.mergeable_ranks(), path)
    loaded = LabTokenizer.from_file(path, name="x")
    assert loaded.vocab_size == tokenizer.vocab_size
    for text in ODD_STRINGS:
        assert loaded.encode(text) == tokenizer.encode(text)
