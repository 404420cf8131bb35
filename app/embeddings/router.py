"""The embeddings playground and its widgets (also placed in the Embeddings lesson); htmx gets the partial.

Each widget's context is built the same way: its inputs, then either its results, or `loading` while
MiniLM (or the search index) is still loading in the background: the partial then asks again by itself
a second later (templates/embeddings/_loading.html).
"""

from collections.abc import Callable
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Form, HTTPException, Query, Request
from markupsafe import Markup

from app.capacity.deps import EncoderSlot
from app.deps import HXRequest, LearnerDep
from app.embeddings.example import compute_example, lesson_example
from app.embeddings.handle import EncoderLoading
from app.embeddings.limits import (
    ATTENTION_MAX_TOKENS,
    MAX_K,
    MAX_QUERY_CHARS,
    MAX_TEXT_CHARS,
    MAX_TEXTS,
    EmbeddingInputError,
    check_text,
    split_lines,
)
from app.embeddings.model import EmbeddingModelError
from app.embeddings.service import (
    compare_texts,
    decoder_attention,
    encoder_attention,
    search_lessons,
    similarity_view,
)
from app.lessons.extras import LessonExtras
from app.templating import render, render_fragment

router = APIRouter(prefix="/playground/embeddings")

PREFIX = "/playground/embeddings"
DEFAULT_A = "The cat sat on the mat."
DEFAULT_B = "A kitten was resting on the rug."
DEFAULT_TEXTS = (
    "How do I reset my password?",
    "I forgot my login credentials",
    "Best pizza in New York",
    "Where can I get a good slice in Brooklyn?",
    "Attention lets every token look at the others.",
    "Self-attention mixes information between tokens.",
)
DEFAULT_QUERY = "Why does the model miss facts in the middle of a long prompt?"
DEFAULT_K = 5
DEFAULT_SENTENCE = "The cat sat on the mat because it was tired."
# Hard caps on what a request may carry; the service gives the readable message below them.
HardText = Annotated[str, Query(max_length=MAX_TEXT_CHARS * 4)]
HeadParam = Annotated[str, Query(max_length=4, pattern=r"^(avg|\d{1,2})$")]
LayerParam = Annotated[int, Query(ge=0, le=63)]

Context = dict[str, Any]


def _outcome(
    inputs: Context, build: Callable[[], Context], *, retry_url: str, retry_method: str = "get"
) -> Context:
    """The widget's inputs plus its results, or plus `loading` while the model loads, or `failed`."""
    try:
        return inputs | build()
    except EncoderLoading as exc:
        return inputs | {"loading": str(exc), "retry_url": retry_url, "retry_method": retry_method}
    except EmbeddingInputError as exc:
        raise HTTPException(status_code=exc.status, detail=str(exc)) from exc
    except EmbeddingModelError as exc:
        return inputs | {"failed": str(exc)}


def _url(path: str, **params: object) -> str:
    return f"{PREFIX}{path}?{urlencode(params)}" if params else f"{PREFIX}{path}"


def compare_context(request: Request, a: str = DEFAULT_A, b: str = DEFAULT_B) -> Context:
    """Two texts compared by cosine, dot product and Euclidean distance, formulas filled in."""

    def build() -> Context:
        encoder = request.app.state.sentence_encoder.get()
        return {"result": compare_texts(encoder=encoder, a=a, b=b)}

    return _outcome({"a": a, "b": b}, build, retry_url=_url("/compare"))


def example_context(request: Request) -> Context:
    """The lesson's password / login / pizza example, computed now beside the module's figures."""

    def build() -> Context:
        encoder = request.app.state.sentence_encoder.get()
        example = lesson_example(request.app.state.course.lesson("embeddings"))
        return {"computed": compute_example(example, encoder)}

    return _outcome({}, build, retry_url=_url("/example"))


def matrix_context(request: Request, raw: str = "\n".join(DEFAULT_TEXTS)) -> Context:
    """Up to ten texts: the similarity heatmap and the PCA scatter."""

    def build() -> Context:
        encoder = request.app.state.sentence_encoder.get()
        return {"view": similarity_view(encoder=encoder, texts=split_lines(raw))}

    return _outcome({"raw": raw}, build, retry_url=_url("/matrix"), retry_method="post")


def search_context(request: Request, q: str = DEFAULT_QUERY, k: int = DEFAULT_K) -> Context:
    """The lesson passages closest to a question."""

    def build() -> Context:
        index = request.app.state.search_index.get()
        encoder = request.app.state.sentence_encoder.get()
        hits = search_lessons(index=index, encoder=encoder, query=q, k=k)
        return {"hits": hits, "index_size": len(index.passages)}

    return _outcome({"q": q, "k": k}, build, retry_url=_url("/search"))


def attention_context(
    request: Request,
    text: str = DEFAULT_SENTENCE,
    enc_layer: int = 0,
    enc_head: str = "0",
    dec_layer: int = 0,
    dec_head: str = "0",
) -> Context:
    """One sentence's attention in MiniLM (bidirectional) beside the lab's decoder (causal)."""
    lab = request.app.state.lab_model
    inputs = {
        "text": text,
        "enc_layer": enc_layer,
        "enc_head": enc_head,
        "dec_layer": dec_layer,
        "dec_head": dec_head,
        "dec_layers": lab.config.n_layer,
        "dec_heads": lab.config.n_head,
        "max_tokens": ATTENTION_MAX_TOKENS,
    }

    def build() -> Context:
        encoder = request.app.state.sentence_encoder.get()
        check_text(text, name="The sentence")
        try:
            enc = encoder_attention(encoder=encoder, text=text, layer=enc_layer, head=_head(enc_head))
            dec = decoder_attention(lab=lab, text=text, layer=dec_layer, head=_head(dec_head))
        except ValueError as exc:  # a layer or head the model does not have
            raise EmbeddingInputError(str(exc)) from exc
        return {"enc": enc, "dec": dec}

    return _outcome(inputs, build, retry_url=_url("/attention"))


def _head(value: str) -> int | None:
    return None if value == "avg" else int(value)


def page_context(request: Request, **given: Context) -> Context:
    """Every widget of the page: the ones given, the rest at their defaults."""
    builders = {
        "compare": compare_context,
        "example": example_context,
        "matrix": matrix_context,
        "search": search_context,
        "attention": attention_context,
    }
    return {name: given.get(name) or build(request) for name, build in builders.items()}


def _respond(request: Request, hx: bool, name: str, context: Context):
    """The widget's partial for htmx (503 if the model failed to load), else the page around it."""
    if hx:
        status = 503 if context.get("failed") else 200
        return render(request, f"embeddings/_{name}.html", {"w": context}, status_code=status)
    return render(request, "embeddings/page.html", page_context(request, **{name: context}))


@router.get("", dependencies=[EncoderSlot])
def embeddings_page(request: Request, learner: LearnerDep):
    """Every embeddings widget, on all-MiniLM-L6-v2."""
    return render(request, "embeddings/page.html", page_context(request))


@router.get("/compare", dependencies=[EncoderSlot])
def compare_widget(
    request: Request, learner: LearnerDep, hx: HXRequest, a: HardText = DEFAULT_A, b: HardText = DEFAULT_B
):
    """Two texts compared three ways."""
    return _respond(request, hx, "compare", compare_context(request, a, b))


@router.get("/example", dependencies=[EncoderSlot])
def example_widget(request: Request, learner: LearnerDep, hx: HXRequest):
    """The lesson's example computed now."""
    return _respond(request, hx, "example", example_context(request))


@router.post("/matrix", dependencies=[EncoderSlot])
def matrix_widget(
    request: Request,
    learner: LearnerDep,
    hx: HXRequest,
    texts: Annotated[str, Form(max_length=(MAX_TEXT_CHARS + 1) * MAX_TEXTS * 2)] = "",
):
    """The posted texts (one per line) as a similarity heatmap and a PCA scatter."""
    return _respond(request, hx, "matrix", matrix_context(request, texts))


@router.get("/search", dependencies=[EncoderSlot])
def search_widget(
    request: Request,
    learner: LearnerDep,
    hx: HXRequest,
    q: Annotated[str, Query(max_length=MAX_QUERY_CHARS * 4)] = DEFAULT_QUERY,
    k: Annotated[int, Query(ge=1, le=MAX_K)] = DEFAULT_K,
):
    """The lesson passages closest to a question."""
    return _respond(request, hx, "search", search_context(request, q, k))


@router.get("/attention", dependencies=[EncoderSlot])
def attention_widget(
    request: Request,
    learner: LearnerDep,
    hx: HXRequest,
    text: HardText = DEFAULT_SENTENCE,
    enc_layer: LayerParam = 0,
    enc_head: HeadParam = "0",
    dec_layer: LayerParam = 0,
    dec_head: HeadParam = "0",
):
    """Encoder versus decoder: the same sentence's attention in both."""
    context = attention_context(request, text, enc_layer, enc_head, dec_layer, dec_head)
    return _respond(request, hx, "attention", context)


def _lesson_widget(name: str, build: Callable[[Request], Context]) -> Callable[[Request], Markup]:
    def render_widget(request: Request) -> Markup:
        return render_fragment(
            request, f"embeddings/_{name}_widget.html", {"w": build(request), "embedded": True}
        )

    return render_widget


def encoder_ready(request: Request) -> bool:
    """MiniLM is loaded: until then the widgets that need it say "loading"."""
    return request.app.state.sentence_encoder.ready


def index_ready(request: Request) -> bool:
    """MiniLM and the lesson search index are loaded: until then the search widget says "loading"."""
    return encoder_ready(request) and request.app.state.search_index.ready


def register_lesson_extras(extras: LessonExtras) -> None:
    """Each widget after the section of the Embeddings lesson that it makes live."""
    extras.register(
        "embeddings",
        "what-embeddings-are",
        _lesson_widget("example", example_context),
        shared=True,
        ready=encoder_ready,
    )
    extras.register(
        "embeddings",
        "embedding-models-vs-generation-models",
        _lesson_widget("attention", attention_context),
        shared=True,
        ready=encoder_ready,
    )
    extras.register(
        "embeddings",
        "similarity-metrics",
        _lesson_widget("compare", compare_context),
        shared=True,
        ready=encoder_ready,
    )
    extras.register(
        "embeddings",
        "where-embeddings-are-used",
        _lesson_widget("search", search_context),
        shared=True,
        ready=index_ready,
    )
    extras.register(
        "embeddings",
        "where-embeddings-are-used",
        _lesson_widget("matrix", matrix_context),
        shared=True,
        ready=encoder_ready,
    )
