"""The context-window page: the budget of one request, history growth, and attention cost by length."""

from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from markupsafe import Markup

from app.catalog.models import ModelCatalog
from app.context.deps import ExampleDep, budget_or_422, get_example
from app.context.example import ContextExample, load_context_example
from app.context.schemas import MAX_LENGTH, MAX_RESERVE, PART_LIMITS, BudgetForm, RatioForm
from app.context.service import history_growth
from app.context.views import budget_chart, growth_view, module_arithmetic, part_rows, ratio_view
from app.deps import HXRequest, LearnerDep
from app.lessons.content import Course
from app.lessons.extras import LessonExtras
from app.templating import render, render_fragment

router = APIRouter(prefix="/playground/context")

DEFAULT_MODEL = "gpt-4o"  # the module's diagram is a 128K window; GPT-4o's, counted with its own encoding


def default_model_id(catalog: ModelCatalog) -> str:
    """GPT-4o where the catalog has it, else its first model."""
    ids = [model.id for model in catalog.models]
    return DEFAULT_MODEL if DEFAULT_MODEL in ids else ids[0]


def example_form(request: Request, example: ContextExample, *, embedded: bool = False) -> BudgetForm:
    """The form pre-filled with the module's example; the reserve is the module's "Model Response" figure."""
    return BudgetForm(
        model=default_model_id(request.app.state.model_catalog),
        system=example.system,
        history=example.history,
        documents=example.documents,
        user=example.user,
        output_reserve=example.figures.parts["reserve"],
        embedded=embedded,
    )


def budget_context(request: Request, form: BudgetForm, example: ContextExample) -> dict:
    """What the budget partial draws: counts, the window bar, the overflow plan and the history growth."""
    budget = budget_or_422(
        request, model_id=form.model, parts=form.parts(), output_reserve=form.output_reserve
    )
    prefix = "lesson-context" if form.embedded else "context"
    encoding = request.app.state.encodings.get(budget.encoding)
    turns = history_growth(encoding=encoding, system=form.system, history=form.history, user=form.user)
    return {
        "form": form,
        "budget": budget,
        "rows": part_rows(budget, example),
        "chart": budget_chart(budget, f"{prefix}-window"),
        "growth": growth_view(turns, prefix),
        "module": module_arithmetic(example),
        "prefix": prefix,
    }


def _budget_widget(request: Request, form: BudgetForm, example: ContextExample) -> dict:
    return budget_context(request, form, example) | {
        "models": request.app.state.model_catalog.models,
        "limits": PART_LIMITS,
        "max_reserve": MAX_RESERVE,
        "document_titles": example.document_titles,
    }


def ratio_context(ratio: RatioForm, example: ContextExample) -> dict:
    """What the attention-cost partial draws."""
    prefix = "lesson-ratio" if ratio.embedded else "ratio"
    return {"ratio": ratio_view(ratio.short, ratio.long, example, prefix), "ratio_form": ratio,
            "ratio_prefix": prefix, "max_length": MAX_LENGTH}  # fmt: skip


def _page(request: Request, form: BudgetForm, ratio: RatioForm, example: ContextExample):
    return render(
        request, "context/page.html", _budget_widget(request, form, example) | ratio_context(ratio, example)
    )


# LearnerDep: the page's form POSTs, and a CSRF token is bound to the learner the cookie names.
@router.get("")
def context_page(request: Request, learner: LearnerDep, example: ExampleDep):
    """The page, pre-filled with the module's example request."""
    return _page(request, example_form(request, example), RatioForm(), example)


@router.post("")
def context_update(request: Request, hx: HXRequest, example: ExampleDep, form: Annotated[BudgetForm, Form()]):
    """Recount the posted parts: htmx gets the budget partial, a plain form the whole page."""
    if hx:
        return render(request, "context/_budget.html", budget_context(request, form, example))
    return _page(request, form, RatioForm(), example)


@router.get("/attention-cost")
def attention_cost(
    request: Request,
    learner: LearnerDep,
    hx: HXRequest,
    example: ExampleDep,
    ratio: Annotated[RatioForm, Query()],
):
    """The attention cost of one length against another, (n2/n1)^2, beside the module's figures."""
    if hx:
        return render(request, "context/_ratio.html", ratio_context(ratio, example))
    return _page(request, example_form(request, example), ratio, example)


def lesson_budget_widget(request: Request) -> Markup:
    """The budget widget, pre-filled with the module's example, after the lesson's diagram."""
    example = get_example(request)
    form = example_form(request, example, embedded=True)
    return render_fragment(request, "context/_budget_widget.html", _budget_widget(request, form, example))


def lesson_ratio_widget(request: Request) -> Markup:
    """The attention-cost calculator, with the module's 4K / 32K / 128K lines computed."""
    return render_fragment(
        request, "context/_ratio_widget.html", ratio_context(RatioForm(embedded=True), get_example(request))
    )


def register_lesson_extras(extras: LessonExtras, *, course: Course, content_dir: Path) -> None:
    """The budget after the module's diagram; the attention cost after the windows table and in Attention.

    The example is read once here so that a content edit which drops the module's figures, or the example
    file, stops the start-up with the file named (ContentError), not the first lesson view.
    """
    load_context_example(course, content_dir)
    extras.register("context-windows", "how-context-windows-work", lesson_budget_widget, shared=True)
    extras.register(
        "context-windows", "current-context-windows-as-of-early-2026", lesson_ratio_widget, shared=True
    )
    extras.register("attention-mechanism", "attention-complexity", lesson_ratio_widget, shared=True)
