"""Moved to app/catalog/models.py; this name stays only so branches written before the move still import."""

from app.catalog.models import PRICE, CatalogModel, ModelCatalog, load_catalog

__all__ = ["PRICE", "CatalogModel", "ModelCatalog", "load_catalog"]
