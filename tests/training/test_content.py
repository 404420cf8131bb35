"""content/training: validated at start-up, naming the file and the field; the page counts what it says."""

import shutil

import pytest

from app.config import ROOT
from app.lessons.content import ContentError
from app.training.content import load_training_content
from tests.conftest import page


def test_the_shipped_content_loads():
    content = load_training_content(ROOT / "content")
    assert len(content.sft_pairs) >= 20 and len(content.preferences) == len(content.shows) >= 10
    assert content.template.prompt("Hi?") == "User: Hi?\nAssistant:"


@pytest.mark.parametrize(
    ("file", "edit", "field"),
    [
        ("sft.yaml", lambda t: t.replace('user: "User: "', 'user: ""'), "template.user"),
        ("sft.yaml", lambda t: t.replace("  - instruction:", "  - question:", 1), "pairs.0.question"),
        ("preferences.yaml", lambda t: t.replace("shows: format", "shows: charm"), "pairs.0.shows"),
        (
            "sft.yaml",
            lambda t: t.replace('  - "What is a transformer?"', '  - "What is a token?"'),
            "held_out",
        ),
    ],
)
def test_a_bad_file_names_the_file_and_the_field(tmp_path, file, edit, field):
    shutil.copytree(ROOT / "content" / "training", tmp_path / "training")
    path = tmp_path / "training" / file
    path.write_text(edit(path.read_text(encoding="utf-8")), encoding="utf-8")
    with pytest.raises(ContentError) as error:
        load_training_content(tmp_path)
    assert file in str(error.value) and f"'{field}'" in str(error.value)


def test_the_behaviour_notes_count_the_preference_pairs(app, client):
    content = app.state.training.content
    rows = {
        tr.select_one("th").get_text(): tr.select_one("td").get_text(" ", strip=True)
        for tr in page(client.get("/playground/training")).select(
            "#behaviours table.behaviour-links tbody tr"
        )
    }
    n = len(content.preferences)
    assert (
        f"{content.pairs_showing('refusal')} of the {n} preference pairs prefer a refusal"
        in rows["Refusal to help with harm"]
    )
    assert rows["Sycophancy"].startswith(
        f"Preference step (DPO) : {content.pairs_showing('sycophancy')} of the {n}"
    )
