"""What the embeddings widgets show: two texts compared, a similarity matrix with its PCA picture,
search hits, and one sentence's attention in the encoder (MiniLM) beside the decoder (the lab's model)."""

from dataclasses import dataclass

import torch
from markupsafe import Markup

from app.attention import heatmap
from app.attention.service import AttentionMaps, attention_maps
from app.charts.matrix import matrix_heatmap
from app.charts.scatter import ScatterPoint, scatter_plot
from app.embeddings.limits import ATTENTION_MAX_TOKENS, MAX_QUERY_CHARS, check_text, check_texts
from app.embeddings.metrics import PairComparison, SimilarityMatrices, compare_vectors, similarity_matrices
from app.embeddings.model import SentenceEncoder
from app.embeddings.pca import Projection, pca_2d
from app.embeddings.search import SearchHit, SearchIndex
from app.lm.checkpoint import LabModel


def compare_texts(*, encoder: SentenceEncoder, a: str, b: str) -> PairComparison:
    """Embed two texts and compare them three ways (EmbeddingInputError for blank or long text)."""
    check_text(a, name="Text A")
    check_text(b, name="Text B")
    vectors = encoder.encode_recent([a, b])
    return compare_vectors(vectors[0], vectors[1])


@dataclass(frozen=True)
class SimilarityView:
    """Up to ten texts: their three matrices, the PCA projection, and both charts."""

    texts: list[str]
    matrices: SimilarityMatrices
    projection: Projection
    heatmap_svg: Markup
    scatter_svg: Markup


def similarity_view(*, encoder: SentenceEncoder, texts: list[str], chart_id: str = "emb") -> SimilarityView:
    """Embed 2-10 texts; every pair's similarity as a heatmap, and the texts as points in 2-D by PCA."""
    texts = check_texts(texts)
    vectors = encoder.encode_recent(texts)
    matrices = similarity_matrices(vectors)
    projection = pca_2d(vectors)
    n = len(texts)
    pairs = [(matrices.cosine[i, j], i, j) for i in range(n) for j in range(i + 1, n)]
    best = max(pairs)
    heatmap_svg = matrix_heatmap(
        f"{chart_id}-matrix",
        texts,
        matrices.cosine.tolist(),
        title="Cosine similarity of every pair of texts",
        desc=(
            f"{n} texts. The closest pair is {best[1] + 1} and {best[2] + 1}, "
            f"cosine {best[0]:.2f}. Each cell holds the cosine of its row's and column's texts."
        ),
    )
    share1, share2 = projection.explained
    points = [
        ScatterPoint(x=float(x), y=float(y), label=str(i + 1), detail=f"{i + 1}. {text}")
        for i, ((x, y), text) in enumerate(zip(projection.coords, texts, strict=True))
    ]
    scatter_svg = scatter_plot(
        f"{chart_id}-pca",
        points,
        title="The texts' 384-dimension vectors projected to 2-D by PCA",
        desc=(
            f"First principal component: {share1:.0%} of the variance; second: {share2:.0%}. "
            "Texts close together here have similar vectors."
        ),
        x_label=f"PC1 ({share1:.0%} of the variance)",
        y_label=f"PC2 ({share2:.0%})",
        equal_aspect=True,
    )
    return SimilarityView(texts, matrices, projection, heatmap_svg, scatter_svg)


def search_lessons(*, index: SearchIndex, encoder: SentenceEncoder, query: str, k: int) -> list[SearchHit]:
    """The k lesson passages closest to the query."""
    check_text(query, name="The question", limit=MAX_QUERY_CHARS)
    return index.search(encoder, query, k)


@dataclass(frozen=True)
class HeatmapSide:
    """One model's attention for the side-by-side view: its maps, the chosen map's cells, how to draw it."""

    maps: AttentionMaps
    layer: int
    head: int | None  # None: the average of the layer's heads
    causal: bool
    cells: list[heatmap.Cell]
    cell: int
    masked_path: str

    @property
    def legend(self) -> list[tuple[float, str]]:
        """The heatmap's colour stops."""
        return heatmap.legend()

    @property
    def title(self) -> str:
        """The heatmap's accessible title."""
        which = "average of heads" if self.head is None else f"head {self.head + 1}"
        return f"Layer {self.layer + 1}, {which}, over {len(self.maps.tokens)} tokens."


def _side(maps: AttentionMaps, layer: int, head: int | None, *, causal: bool) -> HeatmapSide:
    matrix = maps.head(layer, head)  # ValueError for a layer or head the model does not have
    size = heatmap.cell_size(len(maps.tokens))
    return HeatmapSide(
        maps=maps,
        layer=layer,
        head=head,
        causal=causal,
        cells=heatmap.cells(matrix, causal=causal),
        cell=size,
        masked_path=heatmap.masked_path(len(maps.tokens), size) if causal else "",
    )


def encoder_attention(*, encoder: SentenceEncoder, text: str, layer: int, head: int | None) -> HeatmapSide:
    """MiniLM's bidirectional attention for the text (cut at the end to ATTENTION_MAX_TOKENS wordpieces)."""
    found = encoder.attention_maps(text, max_tokens=ATTENTION_MAX_TOKENS)
    maps = AttentionMaps(
        ids=found.ids, tokens=found.tokens, weights=torch.from_numpy(found.weights), truncated=found.truncated
    )
    return _side(maps, layer, head, causal=False)


def decoder_attention(*, lab: LabModel, text: str, layer: int, head: int | None) -> HeatmapSide:
    """The lab transformer's causal attention for the same text (cut from the left, as a context is)."""
    maps = attention_maps(lab=lab, text=text, max_tokens=ATTENTION_MAX_TOKENS)
    return _side(maps, layer, head, causal=True)
