"""The lab's MiniLM pipeline gives sentence-transformers' own vectors for the same model folder."""

import numpy as np

from app.embeddings.model import model_dir

TEXTS = [
    "How do I reset my password?",
    "  I forgot my login credentials \n",  # sentence-transformers strips each text first
    "Best pizza in New York",
    "Attention lets every token look at every other token in the window.",
    "Café, naïve façade: 東京 and 🙂 too",
    "word " * 400,  # far past the 256 wordpieces the model reads: cut the same way
    "x",
] + [f"A sentence of some length number {i}, " * (1 + i % 7) for i in range(40)]  # several batches, padded


def test_vectors_match_sentence_transformers(sentence_encoder):
    from sentence_transformers import SentenceTransformer

    reference = SentenceTransformer(str(model_dir()), device="cpu", local_files_only=True)
    expected = reference.encode(TEXTS, batch_size=32, normalize_embeddings=True, convert_to_numpy=True)
    got = sentence_encoder.encode(TEXTS)
    assert got.shape == expected.shape == (len(TEXTS), 384) and got.dtype == np.float32
    assert np.abs(got - expected).max() < 1e-5
    assert np.allclose(np.linalg.norm(got, axis=1), 1.0, atol=1e-5)
    assert sentence_encoder.dimension == reference.get_embedding_dimension() == 384


def test_no_text_is_no_vectors(sentence_encoder):
    assert sentence_encoder.encode([]).shape == (0, 384)
