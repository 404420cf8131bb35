"""Content is the module, whole, and bad front matter stops the app with the file and field named."""

import re
import shutil
from pathlib import Path

import pytest

from app.config import ROOT
from app.lessons.content import ContentError, load_course

MODULE = ROOT.parent / "shared" / "module" / "llm-fundamentals.md"


def test_nine_lessons_in_module_order():
    course = load_course(ROOT / "content")
    assert [lesson.meta.order for lesson in course.lessons] == list(range(1, 10))
    assert course.lessons[1].slug == "tokenization"


@pytest.mark.skipif(not MODULE.exists(), reason="the course module lives in ../shared beside the checkout")
def test_every_section_of_the_module_is_kept_verbatim():
    """Each lesson body is its module section byte for byte: every fact, table, code block and diagram."""
    module = MODULE.read_text(encoding="utf-8")
    sections = re.split(r"^## ", module, flags=re.M)[2:]  # drop the intro and the table of contents
    course = load_course(ROOT / "content")
    assert len(sections) == len(course.lessons)
    for lesson, section in zip(course.lessons, sections, strict=True):
        title, _, body = section.partition("\n")
        body = body.rsplit("\n---\n", 1)[0] if "\n---\n" in body else body
        source = lesson.source_path.read_text(encoding="utf-8").split("\n---\n", 1)[1]
        assert title.strip() == lesson.meta.title
        assert source.strip() == body.strip(), lesson.slug


@pytest.mark.parametrize(
    ("edit", "field"),
    [
        (lambda text: text.replace("order: 2\n", "order: two\n"), "order"),
        (lambda text: text.replace("minutes: 3\n", ""), "minutes"),
        (lambda text: text.replace("slug: tokenization", "slug: Not A Slug"), "slug"),
        (lambda text: text.replace("title:", "colour: blue\ntitle:"), "colour"),
    ],
)
def test_bad_front_matter_names_file_and_field(tmp_path: Path, edit, field):
    shutil.copytree(ROOT / "content", tmp_path / "content")
    lesson_file = tmp_path / "content" / "lessons" / "02-tokenization.md"
    lesson_file.write_text(edit(lesson_file.read_text(encoding="utf-8")), encoding="utf-8")
    with pytest.raises(ContentError) as excinfo:
        load_course(tmp_path / "content")
    assert "02-tokenization.md" in str(excinfo.value)
    assert f"'{field}'" in str(excinfo.value)
