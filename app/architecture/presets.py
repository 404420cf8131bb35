"""Published configurations (content/architectures.yaml), validated at start-up like the model catalog."""

from functools import lru_cache
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from app.architecture.calculator import ConfigError, DecoderConfig, parameter_breakdown
from app.architecture.schemas import ConfigFields
from app.lessons.content import ContentError
from app.yamlfile import load_yaml

PRESETS_FILE = "architectures.yaml"


class PresetConfig(ConfigFields):
    """A preset's shape: the same fields and bounds as the API's, no unknown keys."""

    model_config = ConfigDict(extra="forbid")


class Preset(BaseModel):
    """One published model."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$")
    name: str = Field(min_length=1)
    size: str = Field(pattern=r"^\d+(\.\d+)?[KMB]$", description="The size in the model's name, e.g. 7B.")
    config: PresetConfig
    published_total: int = Field(ge=1)
    source: str = Field(min_length=1)

    @model_validator(mode="after")
    def _config_divides(self) -> "Preset":
        try:
            self.config.to_config().check()
        except ConfigError as exc:
            raise ValueError(str(exc)) from exc
        return self

    @property
    def decoder(self) -> DecoderConfig:
        """The calculator's config."""
        return self.config.to_config()

    @property
    def computed_total(self) -> int:
        """Parameters computed from the shape."""
        return parameter_breakdown(self.decoder).total

    @property
    def difference(self) -> float:
        """(computed - published) / published."""
        return (self.computed_total - self.published_total) / self.published_total


class Presets(BaseModel):
    """The presets file."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    source: str = Field(min_length=1)
    presets: tuple[Preset, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique_ids(self) -> "Presets":
        ids = [p.id for p in self.presets]
        if len(ids) != len(set(ids)):
            raise ValueError("preset ids must be unique")
        return self

    def get(self, preset_id: str) -> Preset | None:
        """The preset with this id, or None."""
        return next((p for p in self.presets if p.id == preset_id), None)

    def by_size(self, size: str) -> Preset | None:
        """The preset whose name carries this size ("175B"), or None."""
        return next((p for p in self.presets if p.size == size), None)


@lru_cache(maxsize=4)
def load_presets(path: Path) -> Presets:
    """Read and validate the presets file once per process (ContentError names the file and field)."""
    try:
        return Presets.model_validate(load_yaml(path.read_text(encoding="utf-8")))
    except FileNotFoundError as exc:
        raise ContentError(f"{path}: missing (the calculator's published configurations)") from exc
    except yaml.YAMLError as exc:
        raise ContentError(f"{path}: not valid YAML: {exc}") from exc
    except ValidationError as exc:
        fields = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
        raise ContentError(f"{path}: {fields}") from exc
