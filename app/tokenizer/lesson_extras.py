"""The tokenizer inside the lessons: computed token tables beside the course text, and the live widget.

The course text is never edited; these extras sit after its sections (app/lessons/extras.py) and show
what the real encodings say, with a correction wherever the text's numbers differ.
"""

from functools import partial

from fastapi import Request
from markupsafe import Markup

from app.lessons.content import Course
from app.lessons.extras import LessonExtras
from app.templating import render_fragment
from app.tokenizer.checks import check_diagram, check_examples
from app.tokenizer.claims import DiagramClaim, ExampleClaims, diagram_claim, token_example_claims
from app.tokenizer.demos import all_demos
from app.tokenizer.schemas import PLAYGROUND_SAMPLE, PlaygroundForm
from app.tokenizer.service import playground_context


def token_examples_table(request: Request, *, claims: ExampleClaims) -> Markup:
    """The module's token examples, row by row, against cl100k_base and o200k_base computed now."""
    checks = check_examples(registry=request.app.state.encodings, claims=claims)
    return render_fragment(
        request, "tokenizer/_lesson_token_examples.html", {"claims": claims, "checks": checks}
    )


def diagram_ids_table(request: Request, *, claim: DiagramClaim) -> Markup:
    """The architecture diagram's token ids beside the real ids of its sentence."""
    check = check_diagram(registry=request.app.state.encodings, claim=claim)
    return render_fragment(request, "tokenizer/_lesson_diagram_ids.html", {"check": check})


def playground_widget(request: Request) -> Markup:
    """The tokenizer playground, live, inside the lesson."""
    state = request.app.state
    context, _ = playground_context(
        form=PlaygroundForm(text=PLAYGROUND_SAMPLE),
        registry=state.encodings,
        catalog=state.model_catalog,
        max_chars=state.settings.max_tokenize_chars,
    )
    return render_fragment(request, "tokenizer/_playground.html", context | {"embedded": True})


def why_it_matters(request: Request) -> Markup:
    """The 'why it matters' demos with live counts."""
    demos = all_demos(registry=request.app.state.encodings)
    return render_fragment(request, "tokenizer/_demos.html", {"demos": demos, "embedded": True})


def register_lesson_extras(extras: LessonExtras, *, course: Course) -> None:
    """Attach the tokenizer's extras to the Tokenization and Transformer Architecture lessons."""
    tokenization = course.lesson("tokenization")
    if tokenization is not None:
        claims = token_example_claims(tokenization)
        extras.register(
            "tokenization", "token-examples", partial(token_examples_table, claims=claims), shared=True
        )
        extras.register("tokenization", "token-examples", playground_widget, shared=True)
        extras.register("tokenization", "why-tokenization-matters-in-practice", why_it_matters, shared=True)
    architecture = course.lesson("transformer-architecture")
    if architecture is not None:
        claim = diagram_claim(architecture)
        extras.register(
            "transformer-architecture",
            "architecture-overview",
            partial(diagram_ids_table, claim=claim),
            shared=True,
        )
