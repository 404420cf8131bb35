"""Similarity metrics and PCA on points whose answers are known by hand."""

import math

import numpy as np
import pytest

from app.embeddings.metrics import compare_vectors, similarity_matrices
from app.embeddings.pca import pca_2d


@pytest.mark.parametrize(
    ("a", "b", "cosine", "dot", "euclidean"),
    [
        ([1, 0], [0, 1], 0.0, 0.0, math.sqrt(2)),
        ([1, 0], [1, 0], 1.0, 1.0, 0.0),
        ([1, 0], [-1, 0], -1.0, -1.0, 2.0),
        ([3, 4], [6, 8], 1.0, 50.0, 5.0),  # same direction, other length: cosine ignores length, dot does not
        ([1, 2, 2], [2, 0, 0], 1 / 3, 2.0, math.sqrt(9)),
    ],
)
def test_compare_vectors_by_hand(a, b, cosine, dot, euclidean):
    result = compare_vectors(np.array(a, float), np.array(b, float))
    assert result.cosine == pytest.approx(cosine)
    assert result.dot == pytest.approx(dot)
    assert result.euclidean == pytest.approx(euclidean)
    assert result.squared_distance == pytest.approx(euclidean**2)
    assert result.products == [(float(x), float(y)) for x, y in zip(a[:3], b[:3], strict=False)]


def test_unit_vectors_obey_cosine_equals_dot_and_the_distance_identity():
    rng = np.random.default_rng(0)
    a, b = (v / np.linalg.norm(v) for v in rng.normal(size=(2, 384)))
    result = compare_vectors(a, b)
    assert result.cosine == pytest.approx(result.dot)
    assert result.euclidean == pytest.approx(result.identity_distance)


def test_vectors_of_different_lengths_are_refused():
    with pytest.raises(ValueError, match="one length"):
        compare_vectors(np.ones(3), np.ones(4))


def test_similarity_matrices_match_pairwise_comparisons():
    rng = np.random.default_rng(1)
    vectors = rng.normal(size=(5, 8))
    matrices = similarity_matrices(vectors)
    for i in range(5):
        for j in range(5):
            pair = compare_vectors(vectors[i], vectors[j])
            assert matrices.cosine[i, j] == pytest.approx(pair.cosine)
            assert matrices.dot[i, j] == pytest.approx(pair.dot)
            assert matrices.euclidean[i, j] == pytest.approx(pair.euclidean, abs=1e-7)
    assert np.allclose(np.diag(matrices.cosine), 1.0) and np.all(np.diag(matrices.euclidean) == 0.0)


def test_pca_of_points_on_a_line_has_one_component():
    projection = pca_2d(np.array([[0.0, 0.0], [1.0, 1.0], [2.0, 2.0]]))
    assert projection.explained == pytest.approx((1.0, 0.0))
    assert projection.coords[:, 0] == pytest.approx([-math.sqrt(2), 0.0, math.sqrt(2)])
    assert projection.coords[:, 1] == pytest.approx([0.0, 0.0, 0.0])


def test_pca_of_a_cross_finds_its_long_arm_first():
    # Arms of half-length 2 (x) and 1 (y): variances 8/3 and 2/3, so 80% and 20% of the total.
    points = np.array([[-2.0, 0.0], [2.0, 0.0], [0.0, -1.0], [0.0, 1.0]])
    projection = pca_2d(points)
    assert projection.explained == pytest.approx((0.8, 0.2))
    assert projection.coords == pytest.approx(points)  # already centred and aligned; signs fixed positive


def test_pca_recovers_a_rectangle_hidden_in_five_dimensions():
    rectangle = np.array([[x, y] for x in (-3.0, 3.0) for y in (-1.0, 1.0)])
    rotation, _ = np.linalg.qr(np.random.default_rng(2).normal(size=(5, 5)))
    hidden = np.hstack([rectangle, np.zeros((4, 3))]) @ rotation.T + 7.0  # rotated and moved
    projection = pca_2d(hidden)
    assert projection.explained == pytest.approx((0.9, 0.1))  # 9 : 1, the sides' squared ratio
    assert np.abs(projection.coords) == pytest.approx(np.abs(rectangle))  # the same up to each axis's sign


def test_pca_is_deterministic_and_flat_for_two_points():
    projection = pca_2d(np.array([[1.0, 2.0, 3.0], [3.0, 2.0, 1.0]]))
    assert projection.explained == pytest.approx((1.0, 0.0))
    assert projection.coords[:, 1] == pytest.approx([0.0, 0.0])
    again = pca_2d(np.array([[1.0, 2.0, 3.0], [3.0, 2.0, 1.0]]))
    assert np.array_equal(projection.coords, again.coords)
