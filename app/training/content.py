"""The training demos' data in content/training/: SFT pairs with their chat template, and preference pairs.

Validated at start-up like the lessons and the question bank: a bad file stops the app with the file
and the field named.
"""

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from app.lessons.content import ContentError
from app.lm.dpo import PreferencePair
from app.lm.sft import ChatTemplate, InstructionPair
from app.yamlfile import load_yaml

SFT_FILE = "sft.yaml"
PREFERENCES_FILE = "preferences.yaml"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class _Template(_Strict):
    user: str = Field(min_length=1, max_length=40)
    assistant: str = Field(min_length=1, max_length=40)


class _Pair(_Strict):
    instruction: str = Field(min_length=1, max_length=300)
    response: str = Field(min_length=1, max_length=600)


class _SftFile(_Strict):
    template: _Template
    pairs: list[_Pair] = Field(min_length=2, max_length=500)
    held_out: list[str] = Field(min_length=1, max_length=20)


Behaviour = Literal["format", "knowledge", "hallucination", "sycophancy", "refusal"]


class _Preference(_Strict):
    prompt: str = Field(min_length=1, max_length=300)
    chosen: str = Field(min_length=1, max_length=600)
    rejected: str = Field(min_length=1, max_length=600)
    shows: Behaviour


class _PreferenceFile(_Strict):
    pairs: list[_Preference] = Field(min_length=2, max_length=200)


@dataclass(frozen=True)
class TrainingContent:
    """Everything the SFT and DPO demos train on."""

    template: ChatTemplate
    sft_pairs: tuple[InstructionPair, ...]
    held_out: tuple[str, ...]  # questions never trained on, asked before and after
    preferences: tuple[PreferencePair, ...]
    shows: tuple[Behaviour, ...]  # what each preference pair is about, in the same order

    def pairs_showing(self, behaviour: Behaviour) -> int:
        """How many preference pairs are about this behaviour."""
        return self.shows.count(behaviour)


def _load(path: Path, model: type[BaseModel]) -> BaseModel:
    if not path.is_file():
        raise ContentError(f"{path}: missing")
    try:
        data = load_yaml(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise ContentError(f"{path}: not valid YAML: {exc}") from exc
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        fields = "; ".join(
            f"field '{'.'.join(str(p) for p in err['loc']) or '(file)'}': {err['msg']}"
            for err in exc.errors()
        )
        raise ContentError(f"{path}: {fields}") from exc


def load_training_content(content_dir: Path) -> TrainingContent:
    """Read and validate content/training/sft.yaml and preferences.yaml."""
    folder = content_dir / "training"
    sft = _load(folder / SFT_FILE, _SftFile)
    preferences = _load(folder / PREFERENCES_FILE, _PreferenceFile)
    trained = {pair.instruction for pair in sft.pairs}
    leaked = [q for q in sft.held_out if q in trained]
    if leaked:
        raise ContentError(f"{folder / SFT_FILE}: field 'held_out': {leaked[0]!r} is also a training pair")
    return TrainingContent(
        template=ChatTemplate(user=sft.template.user, assistant=sft.template.assistant),
        sft_pairs=tuple(InstructionPair(p.instruction, p.response) for p in sft.pairs),
        held_out=tuple(sft.held_out),
        preferences=tuple(PreferencePair(p.prompt, p.chosen, p.rejected) for p in preferences.pairs),
        shows=tuple(p.shows for p in preferences.pairs),
    )
