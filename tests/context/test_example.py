"""The module's figures come from its own text; the pre-filled example reproduces them with real counts."""

import shutil

import pytest

from app.config import ROOT
from app.context.example import RatioClaim, load_context_example, parse_module_figures, parse_ratio_claims
from app.context.service import context_budget, find_model
from app.context.views import ratio_view
from app.lessons.content import ContentError, load_course


@pytest.fixture(scope="module")
def example():
    """The example built from the repository's content."""
    return load_context_example(load_course(ROOT / "content"), ROOT / "content")


def test_the_module_diagrams_figures_are_parsed(example):
    figures = example.figures
    assert figures.parts == {"system": 500, "history": 2000, "documents": 8000, "user": 200, "reserve": 2000}
    assert (figures.window, figures.used, figures.available) == (128_000, 12_700, 115_300)


def test_the_attention_lessons_ratio_lines_are_parsed(example):
    assert example.ratio_claims == (RatioClaim(32, 4, 64), RatioClaim(128, 4, 1024))


def test_a_wrong_module_figure_would_be_flagged(example):
    wrong = parse_ratio_claims("- 32K context: 60x more attention computation than 4K")
    view = ratio_view(4_000, 32_000, example.__class__(**{**example.__dict__, "ratio_claims": wrong}), "t")
    assert [(row.claim.stated, row.computed, row.matches) for row in view["claims"]] == [(60, 64.0, False)]


def test_a_diagram_without_its_figures_stops_with_the_file_named():
    with pytest.raises(ContentError, match=r"lesson\.md: the context-window diagram lacks .*User Message"):
        parse_module_figures("[System Prompt] ~500 tokens\nContext Window (128K tokens)", source="lesson.md")


def test_a_missing_example_file_stops_with_its_path(tmp_path):
    shutil.copytree(ROOT / "content", tmp_path / "content")
    (tmp_path / "content" / "context-example.yaml").unlink()
    with pytest.raises(ContentError, match="context-example.yaml"):
        load_context_example(load_course(tmp_path / "content"), tmp_path / "content")


def test_the_app_refuses_to_start_without_the_example(settings, tmp_path):
    from app.main import create_app

    shutil.copytree(ROOT / "content", tmp_path / "content")
    (tmp_path / "content" / "context-example.yaml").unlink()
    with pytest.raises(ContentError, match="context-example.yaml"):
        create_app(settings.model_copy(update={"content_dir": tmp_path / "content"}))


def test_documents_are_the_nine_lessons(example):
    assert len(example.document_titles) == 9
    assert example.documents.startswith("[Document 1: Transformer Architecture]\n")
    assert "[Document 4: Context Windows]" in example.documents


def test_the_example_reproduces_the_modules_parts_within_two_percent(example, encodings, catalog):
    parts = {"system": example.system, "history": example.history, "documents": example.documents,
             "user": example.user}  # fmt: skip
    budget = context_budget(
        encodings=encodings, model=find_model(catalog, "gpt-4o"), parts=parts, output_reserve=2000
    )
    for part in budget.parts:
        stated = example.figures.parts[part.name]
        assert abs(part.tokens - stated) <= 0.02 * stated, (part.name, part.tokens, stated)
    assert abs(budget.total - example.figures.used) <= 0.02 * example.figures.used
