"""all-MiniLM-L6-v2 loads offline from the installed package and embeds as expected."""

from pathlib import Path

import numpy as np
import pytest

from app.embeddings.model import EMBEDDING_DIM, EmbeddingModelError, check_model_files, model_dir


def test_package_ships_the_model_files():
    check_model_files(model_dir())


def test_a_folder_without_the_weights_is_refused(tmp_path: Path):
    with pytest.raises(EmbeddingModelError, match="model.safetensors"):
        check_model_files(tmp_path)


def test_embeddings_are_384_dimensional_unit_vectors(sentence_encoder):
    vectors = sentence_encoder.encode(
        ["Attention mixes information between tokens.", "A cat sat on the mat."]
    )
    assert vectors.shape == (2, EMBEDDING_DIM)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)


def test_paraphrases_are_closer_than_unrelated_text(sentence_encoder):
    a, b, c = sentence_encoder.encode(
        [
            "The model reads tokens, not letters.",
            "LLMs see subword pieces rather than characters.",
            "Paris is in France.",
        ]
    )
    assert a @ b > a @ c + 0.2


def test_cached_encoding_returns_the_same_vectors(sentence_encoder):
    texts = ["key point one", "key point two"]
    assert np.allclose(sentence_encoder.encode_cached(texts), sentence_encoder.encode(texts), atol=1e-6)
