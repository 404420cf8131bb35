"""Corpus preparation: Brown tag stripping, the deterministic split, and the data hash."""

import json

import pytest

from app.lm import corpus


@pytest.mark.parametrize(
    ("token", "expected"),
    [
        ("Fulton/np-tl", ("Fulton", "np-tl")),
        ("1/2/cd", ("1/2", "cd")),
        ("./.", (".", ".")),
        ("bare", ("bare", "")),
    ],
)
def test_strip_tag(token, expected):
    assert corpus.strip_tag(token) == expected


def test_detokenize_rebuilds_readable_text():
    assert corpus.detokenize(["``", "Yes", ",", "sir", "''", "?", "?"]) == '"Yes, sir"?'
    assert corpus.detokenize(["He", "came", "(", "late", ")", ";", ";", "Jr.", "."]) == "He came (late); Jr."


def test_parse_brown_example():
    tagged = (
        "\n\n\tThe/at Fulton/np-tl County/nn-tl Grand/jj-tl Jury/nn-tl said/vbd Friday/nr ./.\n"
        "\tIt/pps agreed/vbd ./.\n\n\nMerger/nn-hl proposed/vbn-hl\n\tHowever/rb ,/, no/at ./.\n"
    )
    assert corpus.parse_brown(tagged) == (
        "The Fulton County Grand Jury said Friday. It agreed.\n\nMerger proposed\n\nHowever, no."
    )


def test_lesson_documents_are_the_module_sections(lessons_dir):
    docs = corpus.lesson_documents(lessons_dir)
    assert [d.id for d in docs] == ["lesson/01-attention", "lesson/02-tokens"]
    assert docs[0].text == "## Attention\n\nSoftmax of scores."
    assert docs[1].text == "## Tokens\n\nBPE merges pairs.\n\n---\nx"  # only the front matter is dropped


def test_the_corpus_builds_from_the_repository_alone():
    """The real lessons, with nothing from beside the checkout: the module's nine sections."""
    docs = corpus.lesson_documents(corpus.DEFAULT_LESSONS_DIR)
    assert corpus.DEFAULT_LESSONS_DIR.is_relative_to(corpus.REPO_ROOT)
    assert len(docs) == 9
    assert docs[0].text.startswith("## Transformer Architecture\n\nThe transformer (Vaswani et al., 2017")
    assert all("slug:" not in d.text for d in docs)


def test_split_holds_out_every_twentieth_document():
    docs = [corpus.Document(id=str(i), text="x") for i in range(100)]
    train, val = corpus.split_documents(docs)
    assert [d.id for d in val] == ["19", "39", "59", "79", "99"]
    assert len(train) == 95


def test_prepare_and_load(tmp_path, fake_brown_tgz, lessons_dir):
    manifest = corpus.prepare_corpus(tmp_path, lessons_dir, brown_tgz=fake_brown_tgz)
    assert manifest["train"]["documents"] + manifest["val"]["documents"] == 502
    assert manifest["val"]["documents"] == 25
    train, val, loaded = corpus.load_prepared(tmp_path)
    assert loaded["data_sha256"] == manifest["data_sha256"] == corpus.data_sha256(tmp_path)
    assert train[0].id == "brown/ca00" and "/" not in train[0].text.split("\n")[0]
    assert train[0].text.startswith('The jury said "yes". It ended; fine.')
    assert any(d.id.startswith("lesson/") for d in train)
    again = corpus.prepare_corpus(tmp_path / "again", lessons_dir, brown_tgz=fake_brown_tgz)
    assert again["data_sha256"] == manifest["data_sha256"]  # deterministic


def test_tampered_prepared_data_is_detected(tmp_path, fake_brown_tgz, lessons_dir):
    corpus.prepare_corpus(tmp_path, lessons_dir, brown_tgz=fake_brown_tgz)
    with (tmp_path / corpus.VAL_FILE).open("a") as f:
        f.write(json.dumps({"id": "extra", "text": "sneaky"}) + "\n")
    with pytest.raises(RuntimeError, match="hash"):
        corpus.load_prepared(tmp_path)


def test_missing_lessons_are_a_clear_error(tmp_path, fake_brown_tgz):
    with pytest.raises(FileNotFoundError, match="--lessons"):
        corpus.prepare_corpus(tmp_path, tmp_path / "nowhere", brown_tgz=fake_brown_tgz)
