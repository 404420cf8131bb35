"""'Why tokenization matters' demos: fixed inputs, counts computed live by the real encodings."""

from dataclasses import dataclass

from app.tokenizer.checks import COMPARED_ENCODINGS
from app.tokenizer.encodings import EncodingRegistry
from app.tokenizer.service import Tokenization, tokenize_with

ENGLISH = "The weather is nice today, so let's take a walk in the park."
JAPANESE = "今日は天気がいいので、公園を散歩しましょう。"
VERBOSE_JSON = '{"user_email_address": "ada@example.com"}'
SHORT_JSON = '{"email": "ada@example.com"}'


@dataclass(frozen=True)
class DemoRow:
    """One input of a demo, tokenized by each compared encoding."""

    label: str
    text: str
    results: list[Tokenization]


@dataclass(frozen=True)
class Demo:
    """A quirk of tokenization shown on real inputs, with what the numbers say."""

    slug: str
    title: str
    point: str
    rows: list[DemoRow]
    finding: str


def _rows(registry: EncodingRegistry, inputs: list[tuple[str, str]]) -> list[DemoRow]:
    encodings = [registry.get(name) for name in COMPARED_ENCODINGS if name in registry]
    return [
        DemoRow(
            label=label, text=text, results=[tokenize_with(e, text, allow_special=False) for e in encodings]
        )
        for label, text in inputs
    ]


def _split(result: Tokenization) -> str:
    return " | ".join(piece.shown for piece in result.pieces)


def _ratio(a: int, b: int) -> str:
    return f"{a / b:.1f}×" if b else "n/a"


def digit_demo(registry: EncodingRegistry) -> Demo:
    """Numbers are cut into runs of up to three digits."""
    rows = _rows(
        registry,
        [
            ("5 digits", "12345"),
            ("9 digits", "123456789"),
            ("a date", "2024-03-15"),
            ("a price", "$1,299.99"),
        ],
    )
    first = rows[0].results[0]
    return Demo(
        slug="digits",
        title="Numbers are split into chunks",
        point="Arithmetic is hard for a model that sees digit groups, not digits.",
        rows=rows,
        finding=f"{first.encoding} reads 12345 as {_split(first)}: "
        f"the model gets {first.count} tokens, not 5 digits, and their place values are not marked.",
    )


def letters_demo(registry: EncodingRegistry) -> Demo:
    """The letters of a word are hidden inside its tokens."""
    word = "strawberry"
    rows = _rows(registry, [("one word", word)])
    result = rows[0].results[0]
    return Demo(
        slug="letters",
        title="Letters are inside tokens",
        point="Spelling and counting letters fail because the model never sees the letters one by one.",
        rows=rows,
        finding=f"“{word}” has {word.count('r')} r's in {len(word)} letters, but {result.encoding} hands "
        f"the model {result.count} ids {result.ids} ({_split(result)}): the r's are inside them.",
    )


def language_demo(registry: EncodingRegistry) -> Demo:
    """The same sentence costs more tokens in Japanese than in English."""
    rows = _rows(registry, [("English", ENGLISH), ("Japanese", JAPANESE)])
    ratios = [
        f"{en.encoding}: {ja.count} vs {en.count} tokens ({_ratio(ja.count, en.count)} per sentence, "
        f"{ja.chars_per_token or 0:.1f} vs {en.chars_per_token or 0:.1f} characters per token)"
        for en, ja in zip(rows[0].results, rows[1].results, strict=True)
    ]
    return Demo(
        slug="languages",
        title="Same meaning, different token bill",
        point="Cost and context are counted in tokens; how many a language needs depends on the vocabulary.",
        rows=rows,
        finding="Japanese against English — " + "; ".join(ratios) + ".",
    )


def json_keys_demo(registry: EncodingRegistry) -> Demo:
    """Verbose JSON keys burn tokens on every record."""
    rows = _rows(registry, [("verbose key", VERBOSE_JSON), ("short key", SHORT_JSON)])
    verbose, short = rows[0].results[0], rows[1].results[0]
    extra = verbose.count - short.count
    return Demo(
        slug="json-keys",
        title="Verbose JSON keys burn context",
        point="Every record repeats its keys, so the key names are paid for again and again.",
        rows=rows,
        finding=f"In {verbose.encoding} the verbose key costs {extra} more tokens per record "
        f"({verbose.count} vs {short.count}): {extra * 10_000:,} more over 10,000 records.",
    )


def all_demos(*, registry: EncodingRegistry) -> list[Demo]:
    """Every demo, computed now."""
    return [digit_demo(registry), letters_demo(registry), language_demo(registry), json_keys_demo(registry)]
