"""POST /api/attention: the lab's model's attention weights for a text (changes no state)."""

import torch
from fastapi import APIRouter, Request

from app.attention.schemas import AttentionRequest, AttentionResponse
from app.attention.service import attention_maps
from app.capacity.deps import LabModelSlot
from app.labmodel.deps import LabModelDep, check_prompt_size

router = APIRouter(prefix="/api", tags=["lab model"])


@router.post("/attention", response_model=AttentionResponse, dependencies=[LabModelSlot])
def attention(body: AttentionRequest, request: Request, lab: LabModelDep) -> AttentionResponse:
    """Attention weights [layer][head][query][key] of every head; rows sum to 1, zero above the diagonal."""
    maps = attention_maps(lab=lab, text=check_prompt_size(request, body.text))
    return AttentionResponse(
        tokens=maps.tokens,
        layers=maps.layers,
        heads=maps.heads,
        # Six decimals is finer than any heatmap colour and makes the JSON a third as long.
        attention=torch.round(maps.weights, decimals=6).tolist(),
        truncated=maps.truncated,
    )
