"""The catalog inside the lessons: the two model tables rendered from it, the calculator, ratios and chooser.

`attach_catalog` runs once at start-up: it reads genai-prices and the selection framework, checks the
catalog's tables against the lessons' text (a disagreement stops the app), and registers the extras.
"""

from functools import partial

from fastapi import FastAPI, Request
from markupsafe import Markup

from app.catalog.chooser import load_framework
from app.catalog.dataset import PriceDatasetLoader
from app.catalog.schemas import ChooserForm, CostForm
from app.catalog.service import ratio_claim
from app.catalog.tables import (
    CONTEXT_ANCHOR,
    CONTEXT_LESSON,
    FAMILIES_ANCHOR,
    FAMILIES_LESSON,
    CatalogTable,
    check_tables,
    context_table,
    family_tables,
)
from app.catalog.views import calculator_context, chooser_context, common, ratios_context
from app.lessons.content import ContentError, Course
from app.templating import render_fragment

COST_ANCHOR = "6-cost--finput-tokens-output-tokens-model-tier"
MENTAL_MODELS = "mental-models"


def catalog_table(request: Request, *, table: CatalogTable, kind: str) -> Markup:
    """One of the module's tables, rendered from the catalog, with genai-prices' figures beside it."""
    context = common(request) | {"table": table, "kind": kind}
    return render_fragment(request, "catalog/_lesson_table.html", context)


def comparison_note(request: Request) -> Markup:
    """Where the module's figures and genai-prices' differ, model by model, with both dates."""
    return render_fragment(request, "catalog/_comparison.html", common(request) | {"embedded": True})


def calculator_widget(request: Request) -> Markup:
    """The cost calculator, live, inside a lesson."""
    context, _ = calculator_context(request, CostForm(embedded=True), embedded=True)
    return render_fragment(request, "catalog/_calculator.html", context)


def ratios_panel(request: Request) -> Markup:
    """The module's "output costs 2-6x input" against the real ratios."""
    return render_fragment(request, "catalog/_ratios.html", ratios_context(request, embedded=True))


def chooser_widget(request: Request) -> Markup:
    """The model chooser, live, inside the Model Families lesson."""
    form = ChooserForm(need=["general"], embedded=True)
    return render_fragment(request, "catalog/_chooser.html", chooser_context(request, form, embedded=True))


def attach_catalog(app: FastAPI, course: Course) -> None:
    """Load what the catalog's pages need onto app.state and place its tables and widgets in the lessons."""
    state, extras = app.state, app.state.lesson_extras
    catalog = state.model_catalog
    state.price_dataset = PriceDatasetLoader(catalog, on=state.clock().date()).start()
    families, context_lesson = course.lesson(FAMILIES_LESSON), course.lesson(CONTEXT_LESSON)
    state.model_framework = load_framework(
        state.settings.content_dir / "model_selection.yaml", catalog=catalog, lesson=families
    )
    mental = course.lesson(MENTAL_MODELS)
    if mental is None:
        raise ContentError(f"no lesson '{MENTAL_MODELS}' to read the output/input price claim from")
    state.cost_ratio_claim = ratio_claim(mental)
    if families is not None:
        tables = family_tables(catalog)
        check_tables(families, FAMILIES_ANCHOR, tables)
        for number, table in enumerate(tables):
            extras.replace_table(
                FAMILIES_LESSON,
                FAMILIES_ANCHOR,
                number,
                partial(catalog_table, table=table, kind="families"),
                shared=True,
            )
        extras.register(FAMILIES_LESSON, FAMILIES_ANCHOR, comparison_note, shared=True)
        extras.register(FAMILIES_LESSON, FAMILIES_ANCHOR, calculator_widget, shared=True)
        extras.register(FAMILIES_LESSON, "model-selection-decision-framework", chooser_widget, shared=True)
    if context_lesson is not None:
        table = context_table(catalog)
        check_tables(context_lesson, CONTEXT_ANCHOR, [table])
        extras.replace_table(
            CONTEXT_LESSON,
            CONTEXT_ANCHOR,
            0,
            partial(catalog_table, table=table, kind="context"),
            shared=True,
        )
    extras.register(MENTAL_MODELS, COST_ANCHOR, ratios_panel, shared=True)
    extras.register(MENTAL_MODELS, COST_ANCHOR, calculator_widget, shared=True)
