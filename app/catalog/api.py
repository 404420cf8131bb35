"""GET /api/models and POST /api/cost: the catalog and a request's cost (stateless, no cookie, no CSRF)."""

from fastapi import APIRouter, HTTPException

from app.catalog.dataset import Comparison, DatasetCost
from app.catalog.deps import CatalogDep, PriceDatasetDep
from app.catalog.schemas import CatalogOut, CostParts, CostRequest, CostResponse, DatasetFigures, ModelOut
from app.catalog.service import (
    PER_MILLION,
    ModuleCost,
    TokenCountError,
    UnknownModelError,
    Workload,
    request_cost,
)

router = APIRouter(prefix="/api", tags=["model catalog"])
# The module's cells, passed through as written.
CELLS = {
    "id",
    "name",
    "family",
    "in_families_table",
    "context",
    "max_output",
    "strengths",
    "weaknesses",
    "cost",
    "notes",
}


def _float(value: object) -> float | None:
    return None if value is None else float(value)


def _figures(comparison: Comparison) -> DatasetFigures | None:
    entry = comparison.entry
    if entry is None:
        return None
    return DatasetFigures(
        provider=entry.provider_name,
        model=entry.model_id,
        input_usd_per_mtok=_float(entry.input_usd_per_mtok),
        output_usd_per_mtok=_float(entry.output_usd_per_mtok),
        cached_input_usd_per_mtok=_float(entry.cached_input_usd_per_mtok),
        context_window=entry.context_window,
        tiered=entry.tiered,
        deprecated=entry.deprecated,
        price_differs=comparison.price_differs,
        context_differs=comparison.context_differs,
    )


@router.get("/models", response_model=CatalogOut)
def models(catalog: CatalogDep, dataset: PriceDatasetDep) -> CatalogOut:
    """Every catalog model: the module's cells as written, the numbers read from them, genai-prices'."""
    out = []
    for comparison in dataset.comparisons:
        model = comparison.model
        out.append(
            ModelOut(
                **model.model_dump(include=CELLS),
                context_tokens=model.context_tokens,
                max_output_tokens=model.max_output_tokens,
                input_usd_per_mtok=model.input_usd_per_mtok,
                output_usd_per_mtok=model.output_usd_per_mtok,
                cached_input_usd_per_mtok=model.cached_input_usd_per_mtok,
                counted_with=model.counted_with,
                exact=model.exact,
                genai_prices=_figures(comparison),
                genai_prices_missing=comparison.missing,
            )
        )
    return CatalogOut(
        source=catalog.source,
        as_of=catalog.as_of,
        dataset=dataset.label,
        dataset_date=dataset.date_text,
        models=out,
    )


def _module_parts(cost: ModuleCost, model) -> CostParts:  # noqa: ANN001 - CatalogModel
    note = "The module gives no cached-input price: cached tokens are billed at its input price."
    return CostParts(
        input_usd=cost.input_usd,
        cached_input_usd=cost.cached_input_usd,
        output_usd=cost.output_usd,
        total_usd=cost.total_usd,
        per_million_requests_usd=cost.total_usd * PER_MILLION,
        input_usd_per_mtok=model.input_usd_per_mtok,
        output_usd_per_mtok=model.output_usd_per_mtok,
        cached_input_usd_per_mtok=cost.cached_price,
        note=note if cost.cached_at_input_price else "",
    )


def _dataset_parts(cost: DatasetCost, comparison: Comparison) -> CostParts:
    entry = comparison.entry
    return CostParts(
        input_usd=cost.input_usd,
        cached_input_usd=None,
        output_usd=cost.output_usd,
        total_usd=cost.total_usd,
        per_million_requests_usd=cost.total_usd * PER_MILLION,
        input_usd_per_mtok=_float(entry.input_usd_per_mtok) if entry else None,
        output_usd_per_mtok=_float(entry.output_usd_per_mtok) if entry else None,
        cached_input_usd_per_mtok=_float(entry.cached_input_usd_per_mtok) if entry else None,
        note=f"{entry.provider_name}'s price for {entry.model_id}" if entry else "",
    )


def _no_price(cell: str | None) -> str:
    where = f"its Cost cell says {cell!r}" if cell else "only its Context Windows table lists the model"
    return f"The module gives no per-token price: {where}."


@router.post(
    "/cost",
    response_model=CostResponse,
    responses={422: {"description": "Unknown model, or token counts out of range"}},
)
def cost(body: CostRequest, catalog: CatalogDep, dataset: PriceDatasetDep) -> CostResponse:
    """One request's cost: input, cached input and output parts with the module's prices and genai-prices'."""
    try:
        workload = Workload(body.input_tokens, body.output_tokens, body.cached_input_tokens)
        priced = request_cost(catalog=catalog, dataset=dataset, model_id=body.model, workload=workload)
    except UnknownModelError as exc:
        raise HTTPException(status_code=422, detail=[f"model: {exc}"]) from exc
    except TokenCountError as exc:
        raise HTTPException(status_code=422, detail=[str(exc)]) from exc
    model, comparison = priced.model, priced.comparison
    return CostResponse(
        model=model.id,
        input_tokens=workload.input_tokens,
        cached_input_tokens=workload.cached_input_tokens,
        output_tokens=workload.output_tokens,
        module=_module_parts(priced.module, model) if priced.module else None,
        module_note="" if priced.module else _no_price(model.cost),
        genai_prices=_dataset_parts(priced.dataset, comparison) if priced.dataset and comparison else None,
        genai_prices_note=comparison.missing or "" if comparison else "",
    )
