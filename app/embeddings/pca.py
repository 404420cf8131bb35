"""Principal component analysis with numpy's SVD: high-dimensional vectors drawn as a 2-D picture."""

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Projection:
    """Points projected on their first two principal components."""

    coords: np.ndarray  # (n, 2)
    explained: tuple[float, float]  # share of the total variance along each component (0..1)


def pca_2d(points: np.ndarray) -> Projection:
    """Centre the (n, d) points and project them on the two directions of largest variance.

    The SVD of the centred matrix X = U S Vt gives the components as the rows of Vt and the variance
    along each as S**2 / (n - 1). A component's sign is arbitrary; it is fixed here (its largest
    loading positive) so the same texts always draw the same picture. With fewer than three points, or
    points on a line, the second coordinate is 0.

    Example: points (0, 0), (1, 1), (2, 2) lie on one line: coords x = -1.414, 0, 1.414 and y = 0,
    explained (1.0, 0.0).
    """
    x = np.asarray(points, dtype=np.float64)
    if x.ndim != 2 or x.shape[0] < 1:
        raise ValueError(f"an (n, d) array of points is needed, got shape {x.shape}")
    centred = x - x.mean(axis=0)
    _, singular, vt = np.linalg.svd(centred, full_matrices=False)
    components = np.zeros((2, x.shape[1]))
    kept = min(2, vt.shape[0])
    components[:kept] = vt[:kept]
    for row in components:
        biggest = np.argmax(np.abs(row))
        if row[biggest] < 0:
            row *= -1
    coords = centred @ components.T
    variance = singular**2
    total = float(variance.sum())
    shares = [float(variance[i]) / total if total > 0 and i < len(variance) else 0.0 for i in range(2)]
    # Components beyond the data's rank are numerical noise: draw them as exactly zero.
    for i in range(2):
        if shares[i] < 1e-12:
            coords[:, i] = 0.0
            shares[i] = 0.0
    return Projection(coords=coords, explained=(shares[0], shares[1]))
