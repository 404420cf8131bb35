"""The layer counts the lesson's diagram states ("N = 32 for 7B, 80 for 175B"), checked against the presets.

Read from the lesson file at start-up, like the tokenizer's claims: an edit that changes the line's
shape stops the app and says where, rather than silently checking nothing.
"""

import re
from dataclasses import dataclass, replace

from app.architecture.calculator import parameter_breakdown
from app.architecture.presets import Preset, Presets
from app.lessons.content import ContentError, Lesson
from app.tokenizer.claims import section_code

CLAIM_LINE = re.compile(r"N = (?P<pairs>\d+ for [\d.]+[KMB](?:, \d+ for [\d.]+[KMB])*)")
PAIR = re.compile(r"(?P<layers>\d+) for (?P<size>[\d.]+[KMB])")


@dataclass(frozen=True)
class LayerClaim:
    """One "N = layers for size" of the diagram."""

    layers: int
    size: str


def layer_claims(lesson: Lesson, anchor: str = "architecture-overview") -> tuple[LayerClaim, ...]:
    """The diagram's "N = ... for ..." pairs, in the order written."""
    match = CLAIM_LINE.search(section_code(lesson, anchor))
    if match is None:
        raise ContentError(f"{lesson.source_path}: the '#{anchor}' diagram has no 'N = <layers> for <size>'")
    return tuple(LayerClaim(int(m["layers"]), m["size"]) for m in PAIR.finditer(match["pairs"]))


@dataclass(frozen=True)
class LayerCheck:
    """One claim against the published model of that size."""

    claim: LayerClaim
    preset: Preset | None  # the preset named with the claim's size; None: nothing to check against
    same_depth: tuple[Preset, ...]  # other presets that do have the claimed number of layers
    total_at_claimed_depth: int | None  # the preset's shape with the claimed number of layers

    @property
    def holds(self) -> bool | None:
        """True or False against the preset; None when no preset has the claim's size."""
        return None if self.preset is None else self.preset.config.n_layer == self.claim.layers


def check_layer_claims(claims: tuple[LayerClaim, ...], presets: Presets) -> list[LayerCheck]:
    """Each claim beside the layer count its model really has."""
    checks = []
    for claim in claims:
        preset = presets.by_size(claim.size)
        at_depth = None
        if preset is not None and preset.config.n_layer != claim.layers:
            at_depth = parameter_breakdown(replace(preset.decoder, n_layer=claim.layers)).total
        same_depth = tuple(p for p in presets.presets if p.config.n_layer == claim.layers and p is not preset)
        checks.append(
            LayerCheck(claim=claim, preset=preset, same_depth=same_depth, total_at_claimed_depth=at_depth)
        )
    return checks
