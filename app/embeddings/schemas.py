"""JSON shapes of the embeddings API: pairwise similarity of texts, and semantic search over the lessons."""

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, field_validator

from app.embeddings.limits import MAX_K, MAX_QUERY_CHARS, MAX_TEXT_CHARS, MAX_TEXTS, MIN_TEXTS

EmbedText = Annotated[str, Field(min_length=1, max_length=MAX_TEXT_CHARS)]


class SimilarityRequest(BaseModel):
    """Texts to embed with all-MiniLM-L6-v2 and compare pairwise."""

    model_config = ConfigDict(
        extra="forbid",
        strict=True,
        json_schema_extra={
            "examples": [
                {
                    "texts": [
                        "How do I reset my password?",
                        "I forgot my login credentials",
                        "Best pizza in New York",
                    ]
                }
            ]
        },
    )

    texts: list[EmbedText] = Field(
        min_length=MIN_TEXTS,
        max_length=MAX_TEXTS,
        description=f"{MIN_TEXTS} to {MAX_TEXTS} texts, each 1 to {MAX_TEXT_CHARS:,} characters, none blank.",
    )

    @field_validator("texts")
    @classmethod
    def not_blank(cls, texts: list[str]) -> list[str]:
        """Whitespace alone has no meaning to embed."""
        for i, text in enumerate(texts, start=1):
            if not text.strip():
                raise ValueError(f"text {i} is blank")
        return texts


class SimilarityResponse(BaseModel):
    """Three n x n matrices, [i][j] comparing text i with text j."""

    texts: list[str]
    model: str
    dimension: int = Field(description="Length of each embedding vector (384).")
    normalized: bool = Field(description="True: the vectors are unit length, so cosine equals dot product.")
    cosine: list[list[float]] = Field(description="Cosine similarity, -1 to 1.")
    dot: list[list[float]] = Field(description="Dot product of the vectors.")
    euclidean: list[list[float]] = Field(description="Euclidean (straight-line) distance, 0 on the diagonal.")


class SearchRequest(BaseModel):
    """A question to look up in the course text."""

    model_config = ConfigDict(extra="forbid", strict=True)

    query: str = Field(
        min_length=1,
        max_length=MAX_QUERY_CHARS,
        description=f"What to look for, in your own words (1 to {MAX_QUERY_CHARS} characters).",
        examples=["How do I compare two texts?"],
    )
    k: int = Field(5, ge=1, le=MAX_K, description=f"How many passages to return, 1 to {MAX_K}.", examples=[3])

    @field_validator("query")
    @classmethod
    def not_blank(cls, query: str) -> str:
        """Whitespace alone has no meaning to search for."""
        if not query.strip():
            raise ValueError("the query is blank")
        return query


class SearchPassage(BaseModel):
    """One lesson paragraph and how close it is to the query."""

    lesson: str = Field(description="The lesson's slug.")
    lesson_title: str
    anchor: str | None = Field(description="Id of the section heading the paragraph sits under.")
    heading: str
    url: str = Field(description="Link to the paragraph's section: /lessons/<slug>#<anchor>.")
    text: str
    score: float = Field(description="Cosine similarity between the query and the passage.")


class SearchResponse(BaseModel):
    """The k passages closest to the query, best first."""

    query: str
    passages: list[SearchPassage]
    index_size: int = Field(description="How many passages were searched (every lesson paragraph).")
