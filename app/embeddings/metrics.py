"""Similarity between embedding vectors: cosine, dot product and Euclidean distance, with their arithmetic.

all-MiniLM-L6-v2's vectors come out unit length (the encoder normalises them), so ||A|| = ||B|| = 1: the
cosine equals the dot product, and the Euclidean distance is sqrt(2 - 2 cos). The functions below compute
each metric from its own formula anyway, so the page can show the identity holding rather than assume it.
"""

from dataclasses import dataclass

import numpy as np

SHOWN_TERMS = 3  # products written out in a filled-in formula before "+ …"


@dataclass(frozen=True)
class PairComparison:
    """Two vectors compared three ways, with the numbers that go into each formula."""

    dimension: int
    dot: float  # sum of a_i * b_i
    norm_a: float
    norm_b: float
    cosine: float  # dot / (norm_a * norm_b)
    squared_distance: float  # sum of (a_i - b_i)^2
    euclidean: float  # sqrt(squared_distance)
    products: list[tuple[float, float]]  # the first SHOWN_TERMS (a_i, b_i)

    @property
    def identity_distance(self) -> float:
        """sqrt(2 - 2 cos): the Euclidean distance that unit vectors with this cosine must have."""
        return float(np.sqrt(max(0.0, 2.0 - 2.0 * self.cosine)))


def compare_vectors(a: np.ndarray, b: np.ndarray) -> PairComparison:
    """Cosine, dot product and Euclidean distance of two vectors, each from its own formula.

    Example: ``compare_vectors(np.array([1.0, 0.0]), np.array([0.0, 1.0]))`` has dot 0, cosine 0 and
    Euclidean distance sqrt(2).
    """
    a64, b64 = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    if a64.shape != b64.shape or a64.ndim != 1:
        raise ValueError(f"two vectors of one length are needed, got {a64.shape} and {b64.shape}")
    dot = float(a64 @ b64)
    norm_a, norm_b = float(np.linalg.norm(a64)), float(np.linalg.norm(b64))
    squared = float(np.sum((a64 - b64) ** 2))
    return PairComparison(
        dimension=int(a64.shape[0]),
        dot=dot,
        norm_a=norm_a,
        norm_b=norm_b,
        cosine=dot / (norm_a * norm_b) if norm_a and norm_b else 0.0,
        squared_distance=squared,
        euclidean=float(np.sqrt(squared)),
        products=[(float(x), float(y)) for x, y in zip(a64[:SHOWN_TERMS], b64[:SHOWN_TERMS], strict=True)],
    )


@dataclass(frozen=True)
class SimilarityMatrices:
    """Every pair of n vectors: (n, n) cosine, dot-product and Euclidean-distance matrices."""

    cosine: np.ndarray
    dot: np.ndarray
    euclidean: np.ndarray


def similarity_matrices(vectors: np.ndarray) -> SimilarityMatrices:
    """The three metrics between every pair of rows of an (n, d) array."""
    v = np.asarray(vectors, dtype=np.float64)
    dot = v @ v.T
    norms = np.linalg.norm(v, axis=1)
    outer = np.outer(norms, norms)
    cosine = np.divide(dot, outer, out=np.zeros_like(dot), where=outer > 0)
    squared = np.sum(v**2, axis=1)
    # ||a - b||^2 = ||a||^2 + ||b||^2 - 2 a.b; rounding can leave a tiny negative on the diagonal.
    euclidean = np.sqrt(np.clip(squared[:, None] + squared[None, :] - 2 * dot, 0.0, None))
    np.fill_diagonal(euclidean, 0.0)
    return SimilarityMatrices(cosine=cosine, dot=dot, euclidean=euclidean)
