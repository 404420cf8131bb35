"""Size limits of every embeddings input (pages and API), and the check that gives each a readable message."""

MAX_TEXT_CHARS = 1_000  # ~250 wordpieces: about what the model reads (256) before it cuts
MIN_TEXTS = 2
MAX_TEXTS = 10
MAX_QUERY_CHARS = 500
MAX_K = 20
ATTENTION_MAX_TOKENS = 48  # wordpieces (or lab tokens) drawn per heatmap: past this, cells get unreadable


class EmbeddingInputError(ValueError):
    """Input the widgets cannot use; `status` is 413 for too long, 422 otherwise."""

    def __init__(self, message: str, status: int = 422) -> None:
        super().__init__(message)
        self.status = status


def check_text(text: str, *, name: str = "The text", limit: int = MAX_TEXT_CHARS) -> str:
    """The text, or EmbeddingInputError when it is blank or longer than the limit."""
    if not text.strip():
        raise EmbeddingInputError(f"{name} is empty: type something.")
    if len(text) > limit:
        raise EmbeddingInputError(f"{name} has {len(text):,} characters; the limit is {limit:,}.", status=413)
    return text


def check_texts(texts: list[str]) -> list[str]:
    """Between MIN_TEXTS and MAX_TEXTS non-blank texts, each within MAX_TEXT_CHARS."""
    if len(texts) < MIN_TEXTS:
        raise EmbeddingInputError(f"At least {MIN_TEXTS} texts are needed to compare; got {len(texts)}.")
    if len(texts) > MAX_TEXTS:
        raise EmbeddingInputError(f"At most {MAX_TEXTS} texts at once; got {len(texts)}.")
    return [check_text(text, name=f"Text {i}") for i, text in enumerate(texts, start=1)]


def split_lines(raw: str) -> list[str]:
    """One text per non-blank line, trimmed: how the matrix widget's textarea is read."""
    return [line.strip() for line in raw.splitlines() if line.strip()]
