"""The attention heatmap page and its htmx partials."""

from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, Request
from markupsafe import Markup

from app.attention import heatmap
from app.attention.service import PAGE_MAX_TOKENS, STEPS_MAX_TOKENS, attention_maps, head_steps
from app.capacity.deps import LabModelSlot
from app.deps import HXRequest
from app.labmodel.deps import LabModelDep, check_prompt_size
from app.lessons.extras import LessonExtras
from app.lm.checkpoint import LabModel
from app.templating import render, render_fragment

router = APIRouter(prefix="/playground/attention")

DEFAULT_TEXT = "The cat sat on the mat because it was tired."
# The page keeps its state in the URL (GET): a few thousand characters is far past the 64 tokens it draws.
PAGE_TEXT_CHARS = 5_000


def _thumbnail(matrix) -> tuple[int, list[tuple[str, str]], str]:  # noqa: ANN001 - a (T, T) tensor
    size, paths = heatmap.thumbnail_paths(matrix)
    return size, paths, heatmap.masked_path(size)


def heatmap_context(
    request: Request, lab: LabModel, *, text: str, layer: int, head: int | None, embedded: bool = False
) -> dict:
    """Everything the heatmap partial draws, from one forward pass."""
    maps = attention_maps(lab=lab, text=check_prompt_size(request, text), max_tokens=PAGE_MAX_TOKENS)
    try:
        matrix = maps.head(layer, head)
    except ValueError as exc:
        raise HTTPException(status_code=422, detail=str(exc)) from exc
    thumbnails = [
        [(h, *_thumbnail(maps.weights[lyr, h])) for h in range(maps.heads)] for lyr in range(maps.layers)
    ]
    steps = None
    if len(maps.ids) <= STEPS_MAX_TOKENS and head is not None:
        steps = head_steps(lab=lab, text=text, layer=layer, head=head)
    return {
        "text": text,
        "maps": maps,
        "layer": layer,
        "head": head,
        "cells": heatmap.cells(matrix),
        "cell": heatmap.cell_size(len(maps.ids)),
        # In pixels, not scaled: the hatch pattern must keep its own size.
        "masked_path": heatmap.masked_path(len(maps.ids), heatmap.cell_size(len(maps.ids))),
        "legend": heatmap.legend(),
        "thumbnails": thumbnails,
        "steps": steps,
        "page_max_tokens": PAGE_MAX_TOKENS,
        "steps_max_tokens": STEPS_MAX_TOKENS,
        "context_length": lab.config.context_length,
        "embedded": embedded,
        "page_text_chars": PAGE_TEXT_CHARS,
    }


@router.get("", dependencies=[LabModelSlot])
def attention_page(
    request: Request,
    lab: LabModelDep,
    hx: HXRequest,
    text: Annotated[str, Query(max_length=PAGE_TEXT_CHARS)] = DEFAULT_TEXT,
    layer: Annotated[int, Query(ge=0, le=63)] = 0,
    head: Annotated[str, Query(max_length=4, pattern=r"^(avg|\d{1,2})$")] = "0",
):
    """The heatmap for one layer and head (or the average of a layer's heads), with the overview grid."""
    context = heatmap_context(request, lab, text=text, layer=layer, head=None if head == "avg" else int(head))
    return render(request, "attention/_heatmap.html" if hx else "attention/page.html", context)


def lesson_widget(request: Request) -> Markup:
    """The heatmap embedded in the Attention lesson."""
    context = heatmap_context(
        request, request.app.state.lab_model, text=DEFAULT_TEXT, layer=0, head=0, embedded=True
    )
    return render_fragment(request, "attention/_widget.html", context)


def register_lesson_extras(extras: LessonExtras) -> None:
    """The live heatmap right after the lesson explains multiple heads."""
    extras.register("attention-mechanism", "multi-head-attention", lesson_widget, shared=True)
