"""The module's two model tables, as the catalog renders them, and as the lesson text writes them.

The lessons show the catalog's tables in place of the text's (LessonExtras.replace_table). At start-up
each catalog table is compared with the lesson's Markdown table cell for cell: an edit to either that makes
them disagree stops the app and names the cell, so the page can never show figures the module does not give.
"""

from dataclasses import dataclass

from app.catalog.models import CatalogModel, ModelCatalog
from app.lessons.content import ContentError, Lesson
from app.lessons.render import markdown, split_front_matter

FAMILIES_LESSON, FAMILIES_ANCHOR = "model-families", "major-model-families-as-of-early-2026"
CONTEXT_LESSON, CONTEXT_ANCHOR = "context-windows", "current-context-windows-as-of-early-2026"
# The module's headers; the Model Families tables end with their family's own Cost header.
FAMILY_COLUMNS = ("Model", "Context", "Strengths", "Weaknesses")
CONTEXT_COLUMNS = ("Model", "Context Window", "Max Output", "Notes")


@dataclass(frozen=True)
class TableRow:
    """One row: the models it is about and its cells, verbatim."""

    models: tuple[CatalogModel, ...]
    cells: tuple[str, ...]


@dataclass(frozen=True)
class CatalogTable:
    """A table rendered from the catalog: the bold title above it in the text (if any), header and rows."""

    title: str | None
    header: tuple[str, ...]
    rows: tuple[TableRow, ...]


@dataclass(frozen=True)
class TextTable:
    """A Markdown table of a lesson: the bold line above it (if any), header cells and body rows."""

    title: str | None
    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]


def family_tables(catalog: ModelCatalog) -> list[CatalogTable]:
    """One table per family of "Major Model Families", in the module's order."""
    tables = []
    for family in catalog.families:
        rows = tuple(
            TableRow(
                models=(m,),
                cells=(m.name, m.context, m.strengths or "", m.weaknesses or "", m.cost or ""),
            )
            for m in catalog.family_models(family.name)
        )
        tables.append(
            CatalogTable(title=family.name, header=(*FAMILY_COLUMNS, family.cost_column), rows=rows)
        )
    return tables


def context_table(catalog: ModelCatalog) -> CatalogTable:
    """The "Current Context Windows" table: each row's cells, its model's where the row gives none."""
    rows = []
    for row in catalog.context_windows:
        models = tuple(m for m in catalog.models if m.id in row.models)
        first = models[0]
        cells = (
            row.label or first.name,
            row.context or first.context,
            row.max_output or first.max_output or "",
            row.notes or first.notes or "",
        )
        rows.append(TableRow(models=models, cells=cells))
    return CatalogTable(title=None, header=CONTEXT_COLUMNS, rows=tuple(rows))


def text_tables(lesson: Lesson, anchor: str) -> list[TextTable]:
    """The Markdown tables in the lesson's section under `anchor`, with the bold line just above each."""
    _, body = split_front_matter(lesson.source_path.read_text(encoding="utf-8"))
    tokens = markdown().parse(body)
    inside, title, tables = False, None, []
    header: list[str] = []
    rows: list[list[str]] = []
    for i, token in enumerate(tokens):
        if token.type == "heading_open":
            if inside:
                break
            inside = token.attrGet("id") == anchor
        elif not inside:
            continue
        elif token.type == "paragraph_open":
            text = tokens[i + 1].content
            title = text[2:-2] if text.startswith("**") and text.endswith("**") else None
        elif token.type == "tr_open":
            rows.append([])
        elif token.type in ("th_open", "td_open"):
            rows[-1].append(tokens[i + 1].content)
        elif token.type == "thead_close":
            header = rows.pop()
        elif token.type == "table_close":
            tables.append(TextTable(title=title, header=tuple(header), rows=tuple(map(tuple, rows))))
            title, rows = None, []
    return tables


def _differences(text: TextTable, table: CatalogTable) -> list[str]:
    """Where the catalog's table and the text's disagree, cell by cell, in words."""
    problems = []
    if text.title != table.title:
        problems.append(f"title {text.title!r} in the text, {table.title!r} in the catalog")
    if text.header != table.header:
        problems.append(f"header {list(text.header)} in the text, {list(table.header)} in the catalog")
    catalog_rows = [row.cells for row in table.rows]
    if len(text.rows) != len(catalog_rows):
        problems.append(f"{len(text.rows)} rows in the text, {len(catalog_rows)} in the catalog")
    for text_row, catalog_row in zip(text.rows, catalog_rows, strict=False):
        if text_row != catalog_row:
            problems.append(f"row {list(text_row)} in the text, {list(catalog_row)} in the catalog")
    return problems


def check_tables(lesson: Lesson, anchor: str, tables: list[CatalogTable]) -> None:
    """Stop with the differences when the catalog's tables are not the lesson's, cell for cell."""
    found = text_tables(lesson, anchor)
    problems = [] if len(found) == len(tables) else [f"{len(found)} tables, the catalog has {len(tables)}"]
    for text, table in zip(found, tables, strict=False):
        problems += _differences(text, table)
    if problems:
        raise ContentError(
            f"{lesson.source_path} '#{anchor}' and content/models.yaml disagree: " + "; ".join(problems)
        )
