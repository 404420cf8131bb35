"""What the catalog's partials draw: the cost calculator, the ratios, the chooser and the comparison.

Shared by the playground page (app/catalog/router.py) and the lesson widgets (app/catalog/lesson_extras.py),
so a widget in a lesson and on the page is the same partial fed the same context.
"""

from typing import Any

from fastapi import HTTPException, Request
from markupsafe import Markup

from app.catalog import formatting
from app.catalog.chooser import suggest
from app.catalog.schemas import ChooserForm, CostForm
from app.catalog.service import (
    PER_MILLION,
    ModelCost,
    PriceRatio,
    PriceSource,
    TokenCountError,
    Workload,
    count_tokens,
    every_model_cost,
    price_ratios,
)
from app.charts.bars import BarRow, Mark, Segment, stacked_bars
from app.tokenizer.service import TextTooLongError, check_length

SOURCE_NAMES = {"module": "the module's prices", "genai-prices": "genai-prices' figures"}


def common(request: Request) -> dict[str, Any]:
    """What every catalog partial reads: the catalog, the dataset and its dates, the formatting helpers."""
    state = request.app.state
    return {
        "catalog": state.model_catalog,
        "dataset": state.price_dataset.get(),
        "fmt": formatting,
        "source_names": SOURCE_NAMES,
    }


def _bar(cost: ModelCost, source: PriceSource) -> BarRow:
    """One model's stacked bar: uncached input, cached input and output (genai-prices gives input whole)."""
    name = cost.model.name
    if source == "module" and cost.module is not None:
        parts = [
            (cost.module.input_usd, "seg-input", "input"),
            (cost.module.cached_input_usd, "seg-cached", "cached input"),
            (cost.module.output_usd, "seg-output", "output"),
        ]
    else:
        assert cost.dataset is not None
        parts = [
            (cost.dataset.input_usd, "seg-input", "input"),
            (cost.dataset.output_usd, "seg-output", "output"),
        ]
    total = cost.total(source) or 0.0
    segments = tuple(
        Segment(value, css, f"{name}, {what}: {formatting.usd_text(value)}")
        for value, css, what in parts
        if value
    )
    text = f"{formatting.usd_text(total)} · {formatting.usd_text(total * PER_MILLION)} per 1M"
    return BarRow(label=name, segments=segments, value_text=text, key=cost.model.id)


def cost_chart(costs: list[ModelCost], source: PriceSource, chart_id: str) -> Markup | None:
    """The priced models' costs as stacked bars, cheapest at the top; None when none has a price."""
    rows = [_bar(cost, source) for cost in costs if cost.total(source) is not None]
    if not rows:
        return None
    desc = "; ".join(f"{row.label}: {row.value_text}" for row in rows)
    return stacked_bars(
        chart_id,
        rows,
        title=f"One request's cost per model, with {SOURCE_NAMES[source]}",
        desc=desc,
        axis_label=f"{formatting.usd_text(max(r.total for r in rows))} per request",
    )


def calculator_context(
    request: Request, form: CostForm, *, embedded: bool = False
) -> tuple[dict[str, Any], int]:
    """The calculator's partial context, and the status: bad input is a message in the widget, not a 500."""
    state = request.app.state
    prefix = "lesson-costs" if embedded else "costs"
    context = common(request) | {"form": form, "embedded": embedded, "prefix": prefix}
    try:
        for text in (form.input_text, form.output_text):
            check_length(text, limit=state.settings.max_tokenize_chars)
        workload = Workload(form.input_tokens, form.output_tokens, form.cached_input_tokens)
    except TextTooLongError as exc:
        return context | {"error": str(exc)}, 413
    except TokenCountError as exc:
        return context | {"error": str(exc)}, 422
    counts = {}
    if form.input_text:
        counts["input_counts"] = count_tokens(state.encodings, state.model_catalog, form.input_text)
    if form.output_text:
        counts["output_counts"] = count_tokens(state.encodings, state.model_catalog, form.output_text)
    costs = every_model_cost(
        catalog=state.model_catalog,
        dataset=state.price_dataset.get(),
        workload=workload,
        source=form.prices,
        **counts,
    )
    return context | {
        "workload": workload,
        "costs": costs,
        "priced": [c for c in costs if c.total(form.prices) is not None],
        "unpriced": [c for c in costs if c.total(form.prices) is None],
        "from_text": bool(counts),
        "chart": cost_chart(costs, form.prices, f"{prefix}-chart"),
    }, 200


def _ratio_label(ratio: PriceRatio) -> str:
    """'4x (module 4x)', '1.34x', or 'module 4x (not in the dataset)'."""
    if ratio.dataset is None:
        return f"module {formatting.ratio_text(ratio.module)} (not in the dataset)"
    module = f" (module {formatting.ratio_text(ratio.module)})" if ratio.module is not None else ""
    return formatting.ratio_text(ratio.dataset) + module


def ratios_context(request: Request, *, embedded: bool = False) -> dict[str, Any]:
    """Each model's output/input price ratio from both sources, against the module's claimed range."""
    state = request.app.state
    low, high, sentence = state.cost_ratio_claim
    ratios = price_ratios(state.model_catalog, state.price_dataset.get(), low=low, high=high)
    rows = []
    for ratio in ratios:
        if ratio.dataset is None and ratio.module is None:
            continue
        shown = ratio.dataset if ratio.dataset is not None else ratio.module
        css = "seg-dataset" if ratio.dataset is not None else "seg-module"
        marks = (
            (Mark(ratio.module, "mark-module", f"module: {formatting.ratio_text(ratio.module)}"),)
            if (ratio.module is not None and ratio.dataset is not None)
            else ()
        )
        label = f"{ratio.model.name}: {formatting.ratio_text(shown)}"
        rows.append(
            BarRow(
                label=ratio.model.name,
                segments=(Segment(shown, css, label),),
                value_text=_ratio_label(ratio),
                key=ratio.model.id,
                marks=marks,
                css_class="is-outside" if ratio.outside(shown) else "",
            )
        )
    chart = stacked_bars(
        "lesson-ratios-chart" if embedded else "ratios-chart",
        rows,
        title="Output price over input price, per model",
        desc="; ".join(f"{row.label}: {row.value_text}" for row in rows),
        band=(low, high),
        band_label=f"The module's range: {low}-{high}x",
        axis_label="output / input price",
    )
    return common(request) | {
        "ratios": ratios,
        "claim": sentence,
        "low": low,
        "high": high,
        "module_outside": [r for r in ratios if r.outside(r.module)],
        "dataset_outside": [r for r in ratios if r.outside(r.dataset)],
        "module_count": sum(r.module is not None for r in ratios),
        "dataset_count": sum(r.dataset is not None for r in ratios),
        "chart": chart,
        "embedded": embedded,
    }


def chooser_context(request: Request, form: ChooserForm, *, embedded: bool = False) -> dict[str, Any]:
    """The chooser's partial context; an unknown need is a 422 with the known ones named."""
    state = request.app.state
    framework = state.model_framework
    unknown = [need for need in form.need if framework.need(need) is None]
    if unknown:
        known = ", ".join(need.id for need in framework.needs)
        raise HTTPException(
            status_code=422, detail=[f"need: unknown '{unknown[0][:40]}'; choose from {known}"]
        )
    try:
        workload = Workload(form.input_tokens, form.output_tokens)
    except TokenCountError as exc:
        raise HTTPException(status_code=422, detail=[str(exc)]) from exc
    suggestions = suggest(
        framework=framework,
        catalog=state.model_catalog,
        dataset=state.price_dataset.get(),
        chosen=form.need,
        workload=workload,
        requests=form.requests,
    )
    return common(request) | {
        "framework": framework,
        "form": form,
        "workload": workload,
        "suggestions": suggestions,
        "embedded": embedded,
        "prefix": "lesson-chooser" if embedded else "chooser",
    }
