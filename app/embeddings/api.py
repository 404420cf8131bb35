"""POST /api/embeddings/similarity and POST /api/search: all-MiniLM-L6-v2 over JSON (changes no state).

While the model (or the search index) is still loading in the background, both answer 503 with a
Retry-After header and a message; they never wait.
"""

import numpy as np
from fastapi import APIRouter, HTTPException

from app.capacity.deps import EncoderSlot
from app.embeddings.deps import ApiEncoderDep, ApiSearchIndexDep
from app.embeddings.limits import EmbeddingInputError
from app.embeddings.model import MODEL_NAME
from app.embeddings.schemas import (
    SearchPassage,
    SearchRequest,
    SearchResponse,
    SimilarityRequest,
    SimilarityResponse,
)
from app.embeddings.service import search_lessons, similarity_view

router = APIRouter(prefix="/api", tags=["embeddings"])

LOADING = {503: {"description": "The model or the search index is still loading: retry after Retry-After."}}


def _rounded(matrix: np.ndarray) -> list[list[float]]:
    # Six decimals is past float32's precision for these values and keeps the JSON short.
    return np.round(matrix, 6).tolist()


@router.post(
    "/embeddings/similarity", response_model=SimilarityResponse, responses=LOADING, dependencies=[EncoderSlot]
)
def embeddings_similarity(body: SimilarityRequest, encoder: ApiEncoderDep) -> SimilarityResponse:
    """Embed 2-10 texts and compare every pair: cosine, dot product and Euclidean distance."""
    try:
        view = similarity_view(encoder=encoder, texts=body.texts)
    except EmbeddingInputError as exc:
        raise HTTPException(status_code=exc.status, detail=str(exc)) from exc
    return SimilarityResponse(
        texts=view.texts,
        model=MODEL_NAME,
        dimension=encoder.dimension,
        normalized=bool(np.allclose(np.diag(view.matrices.dot), 1.0, atol=1e-4)),
        cosine=_rounded(view.matrices.cosine),
        dot=_rounded(view.matrices.dot),
        euclidean=_rounded(view.matrices.euclidean),
    )


@router.post("/search", response_model=SearchResponse, responses=LOADING, dependencies=[EncoderSlot])
def search(body: SearchRequest, index: ApiSearchIndexDep, encoder: ApiEncoderDep) -> SearchResponse:
    """Semantic search over every lesson paragraph: the k closest passages, with links to their sections."""
    try:
        hits = search_lessons(index=index, encoder=encoder, query=body.query, k=body.k)
    except EmbeddingInputError as exc:
        raise HTTPException(status_code=exc.status, detail=str(exc)) from exc
    return SearchResponse(
        query=body.query,
        passages=[
            SearchPassage(
                lesson=hit.passage.lesson,
                lesson_title=hit.passage.lesson_title,
                anchor=hit.passage.anchor,
                heading=hit.passage.heading,
                url=hit.passage.url,
                text=hit.passage.text,
                score=round(hit.score, 6),
            )
            for hit in hits
        ],
        index_size=len(index.passages),
    )
