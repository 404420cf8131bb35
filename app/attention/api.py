"""POST /api/attention: the lab's model's attention weights for a text (changes no state)."""

import torch
from fastapi import APIRouter, Request

from app.attention.schemas import AttentionRequest, AttentionResponse
from app.attention.service import attention_maps
from app.capacity.deps import LabModelSlot
from app.jsonresponse import ORJSONResponse
from app.labmodel.deps import LabModelDep, check_prompt_size

router = APIRouter(prefix="/api", tags=["lab model"])

# Four decimals is finer than any heatmap colour (1/10,000 of the scale) and keeps the JSON compact:
# 128 tokens are 393,216 weights, each written as at most 6 characters ("0.1235") instead of ~19.
DECIMALS = 4


def attention_body(maps) -> dict:  # noqa: ANN001 - AttentionMaps
    """The AttentionResponse as orjson serialises it: the weights stay a float32 array, rounded."""
    return {
        "tokens": maps.tokens,
        "layers": maps.layers,
        "heads": maps.heads,
        "attention": torch.round(maps.weights, decimals=DECIMALS).numpy(),
        "truncated": maps.truncated,
    }


@router.post("/attention", response_model=AttentionResponse, dependencies=[LabModelSlot])
def attention(body: AttentionRequest, request: Request, lab: LabModelDep) -> ORJSONResponse:
    """Attention weights [layer][head][query][key] of every head (4 decimals); rows sum to 1 (within
    rounding), zero above the diagonal."""
    maps = attention_maps(lab=lab, text=check_prompt_size(request, body.text))
    return ORJSONResponse(attention_body(maps))
