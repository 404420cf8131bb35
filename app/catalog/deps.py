"""Annotated dependencies of the catalog: the one model catalog and the price dataset loaded at start-up."""

from typing import Annotated

from fastapi import Depends, Request

from app.catalog.dataset import PriceDataset
from app.catalog.models import ModelCatalog


# async: a plain read of app.state, which FastAPI would otherwise send through its thread pool.
async def get_catalog(request: Request) -> ModelCatalog:
    """The model catalog loaded at start-up."""
    return request.app.state.model_catalog


def get_price_dataset(request: Request) -> PriceDataset:
    """The genai-prices figures of every catalog model (sync: the first call may wait for the read)."""
    return request.app.state.price_dataset.get()


CatalogDep = Annotated[ModelCatalog, Depends(get_catalog)]
PriceDatasetDep = Annotated[PriceDataset, Depends(get_price_dataset)]
