"""Attention matrices as SVG geometry: one cell per (query, key), a colour scale and small thumbnails."""

from dataclasses import dataclass

import torch

# Sequential scale from paper to ink blue; weights are drawn through a square root so the many small
# weights of a long row stay visible next to one dominant key (the legend shows the same mapping).
LOW = (247, 251, 255)
HIGH = (8, 48, 107)
LEGEND_STOPS = (0.0, 0.05, 0.1, 0.25, 0.5, 0.75, 1.0)
THUMB_MAX_CELLS = 32
THUMB_LEVELS = 8


def colour(weight: float) -> str:
    """Hex colour of an attention weight in [0, 1].

    Example: ``colour(0.0) -> '#f7fbff'``; ``colour(1.0) -> '#08306b'``
    """
    t = min(1.0, max(0.0, weight)) ** 0.5
    r, g, b = (round(lo + (hi - lo) * t) for lo, hi in zip(LOW, HIGH, strict=True))
    return f"#{r:02x}{g:02x}{b:02x}"


def ink(weight: float) -> str:
    """Text colour that stays readable on `colour(weight)`."""
    return "#ffffff" if weight**0.5 > 0.55 else "#102a43"


@dataclass(frozen=True)
class Cell:
    """One (query, key) pair of a heatmap that attention may use."""

    query: int
    key: int
    weight: float
    fill: str


def cells(matrix: torch.Tensor, *, causal: bool = True) -> list[Cell]:
    """The cells of a (T, T) attention map, row by row: the lower triangle (key <= query) of a causal
    decoder's map, or every cell of a bidirectional encoder's."""
    values = matrix.tolist()
    return [
        Cell(query=q, key=k, weight=values[q][k], fill=colour(values[q][k]))
        for q in range(len(values))
        for k in range(q + 1 if causal else len(values))
    ]


def cell_size(tokens: int) -> int:
    """Pixels per heatmap cell: large for a short text, small enough for 64 tokens to fit a page."""
    if tokens <= 8:
        return 44
    if tokens <= 16:
        return 30
    return 16 if tokens <= 32 else 10


def masked_path(size: int, cell: float = 1.0) -> str:
    """SVG path of the masked upper triangle (key > query) as one staircase polygon."""
    if size < 2:
        return ""
    steps = [f"M{cell:g},0", f"H{size * cell:g}", f"V{(size - 1) * cell:g}"]
    for row in range(size - 1, 0, -1):
        steps.append(f"H{row * cell:g}")
        steps.append(f"V{(row - 1) * cell:g}")
    steps.append("Z")
    return "".join(steps)


def _downsample(matrix: torch.Tensor, size: int) -> torch.Tensor:
    """Average blocks so a (T, T) map becomes at most (size, size)."""
    t = matrix.shape[0]
    if t <= size:
        return matrix
    return torch.nn.functional.adaptive_avg_pool2d(matrix[None, None], size)[0, 0]


def thumbnail_paths(matrix: torch.Tensor) -> tuple[int, list[tuple[str, str]]]:
    """A compact thumbnail: grid size and one path per colour level (cells of equal level merged)."""
    small = _downsample(matrix.float(), THUMB_MAX_CELLS)
    n = small.shape[0]
    levels = torch.clamp((small.clamp(min=0) ** 0.5 * THUMB_LEVELS).floor().long(), max=THUMB_LEVELS - 1)
    paths: dict[int, list[str]] = {}
    for q in range(n):
        for k in range(q + 1):
            paths.setdefault(int(levels[q, k]), []).append(f"M{k},{q}h1v1h-1z")
    return n, [
        (colour((level + 0.5) / THUMB_LEVELS) if level else colour(0.02), "".join(parts))
        for level, parts in sorted(paths.items())
    ]


def legend() -> list[tuple[float, str]]:
    """(weight, colour) stops for the legend."""
    return [(stop, colour(stop)) for stop in LEGEND_STOPS]
