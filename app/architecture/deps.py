"""Dependencies of the architecture pages and API."""

from typing import Annotated

from fastapi import Depends, HTTPException, Request

from app.architecture.calculator import ConfigError, DecoderConfig
from app.architecture.presets import PRESETS_FILE, Presets, load_presets
from app.architecture.schemas import ConfigFields


def get_presets(request: Request) -> Presets:
    """The published configurations (read and validated once, at start-up)."""
    return load_presets(request.app.state.settings.content_dir / PRESETS_FILE)


def checked_config(fields: ConfigFields) -> DecoderConfig:
    """The calculator's config, or a 422 that says which numbers do not divide."""
    try:
        return fields.to_config().check()
    except ConfigError as exc:
        raise HTTPException(status_code=422, detail=str(exc)) from exc


PresetsDep = Annotated[Presets, Depends(get_presets)]
