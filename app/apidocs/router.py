"""GET /api: the JSON API's reference page, rendered on the server (Swagger UI would need a CDN)."""

from fastapi import APIRouter, Request

from app.apidocs.service import api_operations, component_fields
from app.templating import render

router = APIRouter()


@router.get("/api", include_in_schema=False)
def api_reference(request: Request):
    """Each /api/ operation: method, path, summary, request body fields, responses and a curl example."""
    openapi = request.app.openapi()
    operations = api_operations(openapi=openapi, base_url=str(request.base_url))
    responses = {
        op.response_name: component_fields(openapi=openapi, name=op.response_name)
        for op in operations
        if op.response_name
    }
    return render(request, "apidocs/index.html", {"operations": operations, "response_fields": responses})
