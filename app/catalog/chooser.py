"""The module's Model Selection Decision Framework as a chooser: task needs in, catalog models out.

The framework is data (content/model_selection.yaml), checked at start-up against the lesson's own block so
the chooser says exactly what the module says; the lab adds only what it can compute: whether the request
fits each model's window, and what the learner's workload costs on it.
"""

import re
from dataclasses import dataclass
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from app.catalog.dataset import PriceDataset
from app.catalog.models import CatalogModel, ModelCatalog
from app.catalog.service import ModelCost, PriceSource, Workload, request_cost
from app.lessons.content import ContentError, Lesson
from app.tokenizer.claims import section_code
from app.yamlfile import load_yaml

FRAMEWORK_ANCHOR = "model-selection-decision-framework"
# "Is it a simple task?          --> GPT-4o-mini / Haiku / Gemini Flash"
QUESTION_LINE = re.compile(r"^(?P<question>\S.*?)\s+-->\s+(?P<answer>.+)$")


class Need(BaseModel):
    """One question of the framework and the models its answer names."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$")
    question: str = Field(min_length=1)
    examples: str = Field(min_length=1)
    module_answer: str = Field(min_length=1)
    models: tuple[str, ...] = Field(min_length=1)


class Framework(BaseModel):
    """The whole framework."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    source: str = Field(min_length=1)
    needs: tuple[Need, ...] = Field(min_length=1)

    def need(self, need_id: str) -> Need | None:
        """The need with this id, or None."""
        return next((need for need in self.needs if need.id == need_id), None)


@dataclass(frozen=True)
class Suggestion:
    """One suggested model: which of the chosen needs name it, whether the request fits, what it costs."""

    model: CatalogModel
    needs: tuple[Need, ...]
    fits: bool
    cost: ModelCost
    requests: int

    @property
    def source(self) -> PriceSource | None:
        """The prices used: the module's where it gives them, else genai-prices', else None."""
        if self.cost.module is not None:
            return "module"
        return "genai-prices" if self.cost.dataset is not None else None

    @property
    def per_request_usd(self) -> float | None:
        """One request's cost from `source`."""
        return self.cost.total(self.source) if self.source else None

    @property
    def workload_usd(self) -> float | None:
        """All the requests' cost from `source`."""
        per_request = self.per_request_usd
        return None if per_request is None else per_request * self.requests


def module_framework(lesson: Lesson) -> list[tuple[str, str, str]]:
    """(question, examples, answer) for each question of the lesson's framework block, in order."""
    found: list[list[str]] = []
    for line in section_code(lesson, FRAMEWORK_ANCHOR).splitlines():
        match = QUESTION_LINE.match(line)
        if match:
            found.append([match["question"], "", match["answer"]])
        elif found and line.strip():
            found[-1][1] = f"{found[-1][1]} {line.strip()}".strip()
    return [(question, examples.strip("()"), answer) for question, examples, answer in found]


def load_framework(path: Path, *, catalog: ModelCatalog, lesson: Lesson | None) -> Framework:
    """Read the framework, check every model id and (with the lesson) every question against the module."""
    try:
        framework = Framework.model_validate(load_yaml(path.read_text(encoding="utf-8")))
    except FileNotFoundError as exc:
        raise ContentError(f"{path}: missing (the model-selection framework)") from exc
    except (yaml.YAMLError, ValidationError) as exc:
        raise ContentError(f"{path}: {exc}") from exc
    for need in framework.needs:
        for model_id in need.models:
            if catalog.get(model_id) is None:
                raise ContentError(f"{path}: need '{need.id}' names model '{model_id}', not in the catalog")
    if lesson is not None:
        ours = [(need.question, need.examples, need.module_answer) for need in framework.needs]
        theirs = module_framework(lesson)
        if ours != theirs:
            raise ContentError(f"{path}: the needs are not the lesson's framework, which reads {theirs}")
    return framework


def suggest(
    *,
    framework: Framework,
    catalog: ModelCatalog,
    dataset: PriceDataset,
    chosen: list[str],
    workload: Workload,
    requests: int,
) -> list[Suggestion]:
    """The models the chosen needs name: fitting ones first, then by needs met, then cheapest first."""
    needs = [need for need in framework.needs if need.id in chosen]
    suggestions = []
    for model in catalog.models:
        named_by = tuple(need for need in needs if model.id in need.models)
        if not named_by:
            continue
        cost = request_cost(catalog=catalog, dataset=dataset, model_id=model.id, workload=workload)
        fits = workload.input_tokens + workload.output_tokens <= model.context_tokens
        suggestions.append(Suggestion(model=model, needs=named_by, fits=fits, cost=cost, requests=requests))
    return sorted(
        suggestions,
        key=lambda s: (not s.fits, -len(s.needs), s.per_request_usd is None, s.per_request_usd or 0.0),
    )
