"""The architecture lab: the forward pass and logit lens of the lab's model, and the parameter calculator."""

from dataclasses import asdict
from functools import partial
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.exceptions import RequestValidationError
from markupsafe import Markup
from pydantic import ValidationError

from app.architecture import service
from app.architecture.calculator import (
    KV_DTYPES,
    human_bytes,
    human_count,
    kv_cache_size,
    parameter_breakdown,
)
from app.architecture.claims import LayerCheck, check_layer_claims, layer_claims
from app.architecture.deps import PresetsDep, checked_config
from app.architecture.presets import PRESETS_FILE, Presets, load_presets
from app.architecture.schemas import LLAMA_2_7B, ConfigFields
from app.capacity.deps import LabModelSlot
from app.charts.series import Series, line_chart
from app.deps import HXRequest
from app.labmodel.deps import LabModelDep, check_prompt_size
from app.lessons.content import Course
from app.lessons.extras import LessonExtras
from app.lm.checkpoint import LabModel
from app.templating import render, render_fragment

router = APIRouter(prefix="/playground/architecture")

DEFAULT_PROMPT = "The cat sat on the mat because it was"
# The page keeps its prompt in the URL (GET): far past the 64 tokens it draws, and a short link.
PAGE_TEXT_CHARS = 5_000
LAB_PRESET = "lab-small"  # the lab's own model, from its loaded config and its card
DEFAULT_PRESET = "llama-2-7b"
PromptQuery = Annotated[str, Query(max_length=PAGE_TEXT_CHARS)]


def norms_chart(walk: service.Walkthrough) -> Markup:
    """The residual stream's norm after every addition: one faint line per token, the mean, the last token."""
    columns = list(zip(*walk.sublayer_norms, strict=True))  # [position][step]
    n = len(columns)
    mean = [sum(step) / n for step in walk.sublayer_norms]
    series = [
        Series(f"token {t}: {walk.tokens[t]!r}", values, "series-faint") for t, values in enumerate(columns)
    ]
    series += [
        Series("mean over tokens", mean, "series-main"),
        Series("last token", columns[-1], "series-accent"),
    ]
    desc = ", ".join(f"{label} {value:.1f}" for label, value in zip(walk.sublayer_labels, mean, strict=True))
    return line_chart(
        "residual-norms",
        walk.sublayer_labels,
        series,
        title="Norm of the residual stream after each addition",
        desc=f"Mean L2 norm over the {n} tokens: {desc}.",
        y_label="‖x‖ (L2 norm)",
    )


def inspect_context(
    request: Request, lab: LabModel, prompt: str, *, forward: bool = True, lens: bool = True
) -> dict:
    """The walkthrough and/or the lens of one forward pass (the page's prompt, cut to PAGE_MAX_TOKENS)."""
    traced = service.trace_prompt(
        lab=lab, prompt=check_prompt_size(request, prompt), max_tokens=service.PAGE_MAX_TOKENS
    )
    walk = service.walkthrough(lab=lab, traced=traced) if forward else None
    return {
        "prompt": prompt,
        "traced": traced,
        "walk": walk,
        "chart": norms_chart(walk) if walk else None,
        "lens": service.lens_view(lab=lab, traced=traced) if lens else None,
        "lens_bands": service.LENS_BANDS,
        "config": lab.config,
        "page_max_tokens": service.PAGE_MAX_TOKENS,
        "page_text_chars": PAGE_TEXT_CHARS,
    }


def _preset_fields(presets: Presets, lab: LabModel, preset_id: str) -> ConfigFields:
    if preset_id == LAB_PRESET:
        return ConfigFields(**asdict(service.lab_decoder_config(lab.model)))
    preset = presets.get(preset_id)
    if preset is None:
        raise HTTPException(status_code=422, detail=f"preset: no published configuration named {preset_id!r}")
    return preset.config


def calculator_fields(request: Request, presets: Presets, lab: LabModel) -> tuple[ConfigFields, str | None]:
    """The calculator's fields from the query: a preset's, or the fields given over the default preset's."""
    query = request.query_params
    preset_id = query.get("preset")
    if preset_id:
        return _preset_fields(presets, lab, preset_id[:64]), preset_id[:64]
    given = {name: query[name] for name in ConfigFields.model_fields if name in query}
    try:
        return ConfigFields.model_validate(LLAMA_2_7B | given), None
    except ValidationError as exc:
        raise RequestValidationError(exc.errors()) from exc


def calculator_context(presets: Presets, lab: LabModel, fields: ConfigFields, embedded: bool = False) -> dict:
    """The calculator's numbers for one configuration, and the published model it matches, if any."""
    config = checked_config(fields)
    breakdown = parameter_breakdown(config)
    kv = kv_cache_size(config)
    lab_config = service.lab_decoder_config(lab.model)
    matches = [p for p in presets.presets if p.decoder == config]
    published = None
    if matches:
        p = matches[0]
        published = {
            "id": p.id,
            "name": p.name,
            "size": p.size,
            "total": p.published_total,
            "source": p.source,
            "difference": p.difference,
        }
    elif config == lab_config and isinstance(lab.card.get("parameters"), int):
        published = {
            "id": LAB_PRESET,
            "name": "the lab's model",
            "size": human_count(lab.card["parameters"]),
            "total": lab.card["parameters"],
            "source": f"{lab.path.name}/card.json",
            "difference": (breakdown.total - lab.card["parameters"]) / lab.card["parameters"],
        }
    return {
        "fields": fields,
        "config": config,
        "breakdown": breakdown,
        "kv": kv,
        "kv_dtypes": list(KV_DTYPES),
        "published": published,
        "presets": presets.presets,
        "lab_preset": LAB_PRESET,
        "human_bytes": human_bytes,
        "human_count": human_count,
        "embedded": embedded,
    }


def _page(request: Request, lab: LabModel, presets: Presets, prompt: str, fields: ConfigFields | None = None):
    fields = fields or _preset_fields(presets, lab, DEFAULT_PRESET)
    context = inspect_context(request, lab, prompt) | {
        "calc": calculator_context(presets, lab, fields),
        "lab_params": service.lab_parameters(lab),
        "layer_checks": _layer_checks(request, presets),
    }
    return render(request, "architecture/page.html", context)


def _layer_checks(request: Request, presets: Presets) -> list[LayerCheck] | None:
    lesson = request.app.state.course.lesson("transformer-architecture")
    return None if lesson is None else check_layer_claims(layer_claims(lesson), presets)


@router.get("", dependencies=[LabModelSlot])
def architecture_page(
    request: Request,
    lab: LabModelDep,
    presets: PresetsDep,
    hx: HXRequest,
    prompt: PromptQuery = DEFAULT_PROMPT,
):
    """The whole lab; an htmx prompt edit gets the walkthrough and the lens back."""
    if hx:
        return render(request, "architecture/_inspect.html", inspect_context(request, lab, prompt))
    return _page(request, lab, presets, prompt)


def _widget_or_page(request, lab, presets, hx: bool, prompt: str, template: str, **parts: bool):  # noqa: ANN001
    """One lesson widget's partial for htmx (only the parts it shows are computed); else the whole page."""
    if hx:
        return render(request, template, inspect_context(request, lab, prompt, **parts))
    return _page(request, lab, presets, prompt)


@router.get("/forward", dependencies=[LabModelSlot])
def forward_partial(
    request: Request,
    lab: LabModelDep,
    presets: PresetsDep,
    hx: HXRequest,
    prompt: PromptQuery = DEFAULT_PROMPT,
):
    """The forward walkthrough alone (the lesson's widget); without htmx, the whole page."""
    return _widget_or_page(request, lab, presets, hx, prompt, "architecture/_forward.html", lens=False)


@router.get("/lens", dependencies=[LabModelSlot])
def lens_partial(
    request: Request,
    lab: LabModelDep,
    presets: PresetsDep,
    hx: HXRequest,
    prompt: PromptQuery = DEFAULT_PROMPT,
):
    """The logit-lens grid alone (the lesson's widget); without htmx, the whole page."""
    return _widget_or_page(request, lab, presets, hx, prompt, "architecture/_lens.html", forward=False)


@router.get("/params")
def calculator(
    request: Request, lab: LabModelDep, presets: PresetsDep, hx: HXRequest, embedded: bool = False
):
    """The parameter calculator: a preset's fields (the whole form) or the given fields' numbers."""
    fields, preset_id = calculator_fields(request, presets, lab)
    if not hx:
        return _page(request, lab, presets, DEFAULT_PROMPT, fields)
    context = calculator_context(presets, lab, fields, embedded=embedded)
    return render(
        request,
        "architecture/_calculator.html" if preset_id else "architecture/_calculator_result.html",
        context,
    )


def forward_widget(request: Request) -> Markup:
    """The forward walkthrough in the lesson, right after the diagram it follows."""
    context = inspect_context(request, request.app.state.lab_model, DEFAULT_PROMPT, lens=False)
    return render_fragment(request, "architecture/_forward_widget.html", context | {"embedded": True})


def lens_widget(request: Request) -> Markup:
    """The logit lens in the lesson, after the output head is explained."""
    context = inspect_context(request, request.app.state.lab_model, DEFAULT_PROMPT, forward=False)
    return render_fragment(request, "architecture/_lens_widget.html", context | {"embedded": True})


def lab_params_widget(request: Request) -> Markup:
    """The lab model's parameters per component, counted from its weights."""
    lab_params = service.lab_parameters(request.app.state.lab_model)
    return render_fragment(
        request, "architecture/_lab_params.html", {"lab_params": lab_params, "embedded": True}
    )


def calculator_widget(request: Request, *, presets: Presets) -> Markup:
    """The calculator in the lesson, opened on Llama 2 7B."""
    lab = request.app.state.lab_model
    context = calculator_context(presets, lab, _preset_fields(presets, lab, DEFAULT_PRESET), embedded=True)
    return render_fragment(request, "architecture/_calculator.html", context)


def layer_check_note(request: Request, *, checks: list[LayerCheck]) -> Markup:
    """The diagram's layer counts against the published models."""
    return render_fragment(
        request, "architecture/_layer_check.html", {"layer_checks": checks, "human_count": human_count}
    )


def encoder_decoder_link(request: Request) -> Markup:
    """Where the encoder's and decoder's masks are shown live."""
    return render_fragment(request, "architecture/_encoder_decoder.html", {})


def register_lesson_extras(extras: LessonExtras, *, course: Course, content_dir: Path) -> None:
    """Attach the walkthrough, the layer-count check, the counters and the lens to the lesson."""
    presets = load_presets(content_dir / PRESETS_FILE)  # at start-up: a bad file stops the app
    lesson = course.lesson("transformer-architecture")
    if lesson is None:
        return
    checks = check_layer_claims(layer_claims(lesson), presets)
    slug = "transformer-architecture"
    extras.register(slug, "architecture-overview", partial(layer_check_note, checks=checks), shared=True)
    extras.register(slug, "architecture-overview", forward_widget, shared=True)
    extras.register(slug, "component-breakdown", lab_params_widget, shared=True)
    extras.register(slug, "component-breakdown", partial(calculator_widget, presets=presets), shared=True)
    extras.register(slug, "component-breakdown", lens_widget, shared=True)
    extras.register(slug, "decoder-only-vs-encoder-decoder", encoder_decoder_link, shared=True)
