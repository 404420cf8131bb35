"""JSON API of the architecture lab (changes no state: no cookie, no CSRF token)."""

from fastapi import APIRouter, Request

from app.architecture import service
from app.architecture.calculator import KV_DTYPES, kv_cache_size, parameter_breakdown
from app.architecture.deps import checked_config
from app.architecture.schemas import (
    ComponentOut,
    ForwardResponse,
    ForwardStep,
    KVCacheOut,
    LensLayer,
    LogitLensResponse,
    ParamsRequest,
    ParamsResponse,
    PromptRequest,
    TokenProb,
)
from app.capacity.deps import LabModelSlot
from app.labmodel.deps import LabModelDep, check_prompt_size

router = APIRouter(prefix="/api")


@router.post("/architecture/params", response_model=ParamsResponse, tags=["architecture"])
def architecture_params(body: ParamsRequest) -> ParamsResponse:
    """Parameters per component and the KV-cache size of any decoder-only configuration.

    422 when d_model does not divide by n_head or n_head by n_kv_head.
    """
    config = checked_config(body)
    breakdown = parameter_breakdown(config)
    kv = kv_cache_size(config)
    return ParamsResponse(
        attention=config.attention_kind,
        head_dim=config.head_dim,
        components=[
            ComponentOut(key=c.key, label=c.label, formula=c.formula, per_layer=c.per_layer, total=c.total)
            for c in breakdown.components
        ],
        per_layer=breakdown.per_layer,
        total=breakdown.total,
        kv_cache=KVCacheOut(
            numbers_per_token=kv.numbers_per_token,
            bytes_per_token={name: kv.bytes_per_token(name) for name in KV_DTYPES},
            bytes_full_context={name: kv.bytes_full_context(name) for name in KV_DTYPES},
            mha_bytes_per_token_bf16=kv.mha_numbers_per_token * KV_DTYPES["bf16"],
        ),
    )


def _token_probs(rows: list[service.TokenProb]) -> list[TokenProb]:
    return [TokenProb(id=r.id, text=r.text, prob=r.prob) for r in rows]


@router.post("/logit-lens", response_model=LogitLensResponse, tags=["lab model"], dependencies=[LabModelSlot])
def logit_lens(body: PromptRequest, request: Request, lab: LabModelDep) -> LogitLensResponse:
    """What each layer of the lab's model would predict at each position if the stack stopped there."""
    traced = service.trace_prompt(lab=lab, prompt=check_prompt_size(request, body.prompt))
    view = service.lens_view(lab=lab, traced=traced, top=body.top)
    return LogitLensResponse(
        tokens=view.tokens,
        ids=view.ids,
        truncated=view.truncated,
        layers=[
            LensLayer(layer=i, name=name, positions=[_token_probs(cell.top) for cell in view.cells[i]])
            for i, name in enumerate(view.layer_names)
        ],
    )


@router.post("/forward", response_model=ForwardResponse, tags=["lab model"], dependencies=[LabModelSlot])
def forward(body: PromptRequest, request: Request, lab: LabModelDep) -> ForwardResponse:
    """The lab model's forward pass for a prompt, step by step: real shapes, a few values, norms."""
    traced = service.trace_prompt(lab=lab, prompt=check_prompt_size(request, body.prompt))
    walk = service.walkthrough(lab=lab, traced=traced, top=body.top)
    return ForwardResponse(
        tokens=walk.tokens,
        ids=walk.ids,
        truncated=walk.truncated,
        steps=[
            ForwardStep(name=s.name, code=s.code, block=s.block, shape=list(s.shape), sample=s.sample)
            for s in walk.steps
        ],
        residual_norms=walk.residual_norms,
        next_tokens=_token_probs(walk.next_tokens),
    )
