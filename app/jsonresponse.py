"""A JSON response serialised by orjson, for the API's large bodies.

An endpoint that returns it directly skips FastAPI's validate-then-serialise of its response_model
(which stays declared, so the OpenAPI schema is unchanged): the endpoint builds exactly that shape.
orjson writes a numpy array as a nested list without a Python float per element, and a float32 value in
its shortest float32 form (0.1235, not 0.12349999696016312).
"""

from typing import Any

import orjson
from fastapi.responses import JSONResponse


class ORJSONResponse(JSONResponse):
    """application/json from orjson, numpy arrays included."""

    def render(self, content: Any) -> bytes:
        return orjson.dumps(content, option=orjson.OPT_SERIALIZE_NUMPY)
