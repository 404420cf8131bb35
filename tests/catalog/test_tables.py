"""The lessons' two model tables come from the catalog and match the module's text cell for cell."""

import re
import shutil

import pytest

from app.catalog.tables import text_tables
from app.config import ROOT
from app.lessons.content import ContentError, load_course
from app.lessons.render import render_markdown
from app.main import create_app
from tests.conftest import page

MODULE = ROOT.parent / "shared" / "module" / "llm-fundamentals.md"
LESSONS = ROOT / "content" / "lessons"


def markdown_tables(text: str, heading: str) -> list[tuple[str | None, list[list[str]]]]:
    """Each pipe table under the `### heading` of a Markdown text: the **bold** line above it and its rows.

    A plain line-by-line reading, independent of the app's Markdown parser; the separator row is dropped.
    """
    section = text.split(f"### {heading}\n", 1)[1].split("\n### ", 1)[0]
    tables, title, rows = [], None, []
    for line in section.splitlines() + [""]:
        if line.startswith("|"):
            cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
            if not all(re.fullmatch(r"-+", cell) for cell in cells):
                rows.append(cells)
        elif rows:
            tables.append((title, rows))
            title, rows = None, []
        if re.fullmatch(r"\*\*(.+)\*\*", line):
            title = line[2:-2]
    return tables


def rendered_tables(doc, kind: str) -> list[tuple[str | None, list[list[str]]]]:
    """The catalog tables on a lesson page, without their genai-prices column."""
    found = []
    for table in doc.select(f".lesson-body table.catalog-table[data-kind={kind}]"):
        rows = [
            [
                cell.get_text(" ", strip=True)
                for cell in tr.select("th, td")
                if "dataset-col" not in cell.get("class", [])
            ]
            for tr in table.select("tr")
        ]
        found.append((table.get("data-family"), rows))
    return found


SOURCES = [pytest.param(LESSONS, id="lesson files")]
if MODULE.exists():  # the course module lives in ../shared beside the checkout
    SOURCES.append(pytest.param(MODULE, id="module"))


@pytest.mark.parametrize("source", SOURCES)
@pytest.mark.parametrize(
    ("slug", "file", "heading", "kind", "count"),
    [
        ("model-families", "06-model-families.md", "Major Model Families (as of early 2026)", "families", 4),
        (
            "context-windows",
            "04-context-windows.md",
            "Current Context Windows (as of early 2026)",
            "context",
            1,
        ),
    ],
)
def test_rendered_table_is_the_modules_cell_for_cell(client, source, slug, file, heading, kind, count):
    text = (source / file if source.is_dir() else source).read_text(encoding="utf-8")
    expected = markdown_tables(text, heading)
    doc = page(client.get(f"/lessons/{slug}"))
    assert len(expected) == count
    assert rendered_tables(doc, kind) == expected


@pytest.mark.parametrize(
    ("slug", "anchor", "count"),
    [
        ("model-families", "major-model-families-as-of-early-2026", 4),
        ("context-windows", "current-context-windows-as-of-early-2026", 1),
    ],
)
def test_the_markdown_table_is_replaced_in_place_not_repeated(client, slug, anchor, count):
    doc = page(client.get(f"/lessons/{slug}"))
    heading = doc.select_one(f".lesson-body h2#{anchor}")
    tables = []
    for sibling in heading.find_next_siblings():
        if sibling.name == "h2":
            break
        if "lesson-extra" in sibling.get("class", []):  # widgets after the section, not the text's tables
            continue
        tables += [sibling] if sibling.name == "table" else sibling.select("table")
    catalog_tables = [t for t in tables if "catalog-table" in t.get("class", [])]
    assert len(catalog_tables) == count
    assert len(tables) == count  # no Markdown table left beside them
    # The family titles are still the module's bold lines, each right before its table.
    for table in catalog_tables:
        if table.get("data-family"):
            title = table.find_previous("p")
            assert title.select_one("strong").get_text() == table["data-family"]


def test_each_row_shows_genai_prices_beside_the_module(client):
    doc = page(client.get("/lessons/model-families"))
    o3 = doc.select_one('table.catalog-table tr[data-models="o3"]')
    cells = o3.select("td")
    assert cells[4].get_text() == "~$10 / $40"  # the module's Cost cell, verbatim
    dataset = cells[-1]
    assert "dataset-col" in dataset["class"]
    assert dataset.select_one('[data-figure="price"]').get_text() == "$2 / $8"
    assert dataset.select_one('[data-flag="price"]') is not None
    pro = doc.select_one('tr[data-models="gemini-2-0-pro"] td.dataset-col')
    assert pro.select_one('[data-flag="missing"]').get_text() == "not in the dataset"


def test_a_row_for_two_models_shows_both_in_the_dataset_column(client):
    doc = page(client.get("/lessons/context-windows"))
    row = doc.select_one('table.catalog-table tr[data-models="o1 o3"]')
    assert [td.get_text() for td in row.select("td")[:4]] == [
        "o1 / o3",
        "128K-200K",
        "32K-100K",
        "Thinking tokens consume context",
    ]
    assert [s["data-model"] for s in row.select("td.dataset-col .dataset-figures")] == ["o1", "o3"]


def test_text_tables_reads_titles_and_cells():
    course = load_course(ROOT / "content")
    tables = text_tables(course.lesson("model-families"), "major-model-families-as-of-early-2026")
    assert [t.title for t in tables] == [
        "OpenAI GPT Series",
        "Anthropic Claude Series",
        "Google Gemini Series",
        "Open Source / Open Weight",
    ]
    assert tables[3].header[-1] == "Cost" and tables[0].header[-1] == "Cost (input/output per 1M tokens)"
    assert tables[0].rows[0] == (
        "GPT-4o",
        "128K",
        "All-around strong, multimodal, fast",
        "Expensive for high volume",
        "~$2.50 / $10",
    )


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (
            lambda t: t.replace("strengths: Best reasoning model", "strengths: The best reasoning model"),
            "row ['o3'",
        ),
        (lambda t: t.replace("  - models: [deepseek-v3]\n", ""), "10 rows in the text, 9 in the catalog"),
        (lambda t: t.replace("cost_column: Cost\n", "cost_column: Price\n"), "header"),
    ],
)
def test_a_catalog_that_disagrees_with_the_lessons_stops_startup(settings, tmp_path, edit, message):
    content = tmp_path / "content"
    shutil.copytree(ROOT / "content", content)
    catalog = content / "models.yaml"
    catalog.write_text(edit(catalog.read_text(encoding="utf-8")), encoding="utf-8")
    with pytest.raises(ContentError, match=re.escape(message)):
        create_app(settings.model_copy(update={"content_dir": content}))


def test_sections_keep_their_tables_as_numbered_blocks():
    body = "### A\n\ntext\n\n| x |\n|---|\n| 1 |\n\n**b**\n\n| y |\n|---|\n| 2 |\n\nafter\n"
    section = render_markdown(body).sections[0]
    assert [block.table for block in section.blocks] == [None, 0, None, 1, None]
    assert section.table_count == 2
    assert section.blocks[1].html.startswith("<table>") and "<td>1</td>" in section.blocks[1].html
    assert section.html == "".join(block.html for block in section.blocks)
