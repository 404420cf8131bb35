"""The costs playground: the cost calculator, output/input price ratios, the model chooser, the catalog."""

from typing import Annotated

from fastapi import APIRouter, Form, Query, Request

from app.catalog.schemas import ChooserForm, CostForm
from app.catalog.tables import context_table, family_tables
from app.catalog.views import calculator_context, chooser_context, common, ratios_context
from app.deps import HXRequest, LearnerDep
from app.templating import render, render_fragment

router = APIRouter(prefix="/playground/costs")


def _page(request: Request, costs: CostForm, chooser: ChooserForm):
    """The whole page: each widget is the very partial its htmx requests return, rendered with its state."""
    calculator, status = calculator_context(request, costs)
    catalog = request.app.state.model_catalog
    families = family_tables(catalog)

    def table(table, kind: str):  # noqa: ANN001, ANN202 - CatalogTable -> Markup
        return render_fragment(
            request, "catalog/_lesson_table.html", common(request) | {"table": table, "kind": kind}
        )

    context = common(request) | {
        "calculator": render_fragment(request, "catalog/_calculator.html", calculator),
        "ratios": render_fragment(request, "catalog/_ratios.html", ratios_context(request)),
        "chooser": render_fragment(request, "catalog/_chooser.html", chooser_context(request, chooser)),
        "family_tables": families,
        "table_html": [table(t, "families") for t in families],
        "context_html": table(context_table(catalog), "context"),
        "comparison": render_fragment(request, "catalog/_comparison.html", common(request)),
    }
    return render(request, "catalog/page.html", context, status_code=status)


def _calculator(request: Request, hx: bool, form: CostForm):
    if not hx:
        return _page(request, form, ChooserForm())
    context, status = calculator_context(request, form, embedded=form.embedded)
    return render(request, "catalog/_costs.html", context, status_code=status)


@router.get("")
def costs_page(request: Request, learner: LearnerDep, hx: HXRequest, form: Annotated[CostForm, Query()]):
    """The playground; query parameters (e.g. ?input_tokens=10000) fill in the calculator."""
    return _calculator(request, hx, form)


@router.post("")
def costs_update(request: Request, learner: LearnerDep, hx: HXRequest, form: Annotated[CostForm, Form()]):
    """Re-price the posted workload (pasted text may be long, so the form posts): htmx gets the result."""
    return _calculator(request, hx, form)


@router.get("/chooser")
def chooser(request: Request, learner: LearnerDep, hx: HXRequest, form: Annotated[ChooserForm, Query()]):
    """The models the module's framework names for the ticked needs, with the workload's cost on each."""
    if not hx:
        return _page(request, CostForm(), form)
    return render(
        request, "catalog/_suggestions.html", chooser_context(request, form, embedded=form.embedded)
    )
