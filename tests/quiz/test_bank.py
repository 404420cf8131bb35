"""The question bank: the real one loads and points at real headings; a bad file stops the start, named."""

from pathlib import Path

import pytest

from app.config import ROOT
from app.lessons.content import ContentError, load_course
from app.quiz.bank import load_question_bank, load_question_file

COURSE = load_course(ROOT / "content")
REAL_BANK = load_question_bank(ROOT / "content" / "questions", COURSE)


def test_real_bank_loads_with_questions():
    assert REAL_BANK.questions, "content/questions should hold the question bank"


@pytest.mark.parametrize("question", list(REAL_BANK.questions.values()), ids=lambda q: q.id)
def test_every_anchor_is_a_heading_of_its_lesson(question):
    lesson = COURSE.lesson(question.lesson)
    assert question.anchor in {entry.anchor for entry in lesson.rendered.toc}


GOOD = """lesson: tokenization
questions:
  - id: q-one
    type: single
    anchor: tokenization-algorithms
    difficulty: easy
    prompt: "Pick"
    choices: ["a", "b"]
    answer: 0
    explanation: "Because."
"""


@pytest.mark.parametrize(
    ("change", "named"),
    [
        (("answer: 0", "answer: 2"), "answer"),
        (("difficulty: easy", "difficulty: trivial"), "difficulty"),
        (("anchor: tokenization-algorithms", "anchor: no-such-heading"), "anchor"),
        (("lesson: tokenization", "lesson: no-such-lesson"), "lesson"),
        (('    explanation: "Because."\n', ""), "explanation"),
        (("type: single", "type: essay"), "type"),
        (("answer: 0", "answer: 0\n    surprise: 1"), "surprise"),
    ],
)
def test_bad_question_file_names_file_and_field(tmp_path: Path, change, named):
    path = tmp_path / "02-tokenization.yaml"
    path.write_text(GOOD.replace(*change), encoding="utf-8")
    with pytest.raises(ContentError) as error:
        load_question_file(path, COURSE)
    assert str(path) in str(error.value) and named in str(error.value)


def test_duplicate_ids_across_files_are_refused(tmp_path: Path):
    (tmp_path / "02-tokenization.yaml").write_text(GOOD, encoding="utf-8")
    other = GOOD.replace("lesson: tokenization", "lesson: embeddings").replace(
        "anchor: tokenization-algorithms", "anchor: what-embeddings-are"
    )
    (tmp_path / "08-embeddings.yaml").write_text(other, encoding="utf-8")
    with pytest.raises(ContentError, match="q-one"):
        load_question_bank(tmp_path, COURSE)


def test_file_name_must_match_its_lesson(tmp_path: Path):
    path = tmp_path / "03-tokenization.yaml"
    path.write_text(GOOD, encoding="utf-8")
    with pytest.raises(ContentError, match="02-tokenization.yaml"):
        load_question_file(path, COURSE)
