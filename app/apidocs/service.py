"""The JSON API's reference, read from the app's own OpenAPI schema (so it cannot drift from the code)."""

import json
import shlex
from dataclasses import dataclass
from typing import Any

API_PREFIX = "/api/"


@dataclass(frozen=True)
class SchemaField:
    """One property of a request body."""

    name: str
    type: str
    required: bool
    default: str | None
    description: str


@dataclass(frozen=True)
class ApiOperation:
    """One method on one /api/ path."""

    method: str
    path: str
    summary: str
    description: str
    body_name: str | None
    body_fields: list[SchemaField]
    response_name: str | None
    response_type: str | None
    responses: list[tuple[str, str]]
    curl: str


def _resolve(schema: dict[str, Any], openapi: dict[str, Any]) -> tuple[str | None, dict[str, Any]]:
    """A schema and its component name, following a local $ref."""
    ref = schema.get("$ref") or (schema.get("items") or {}).get("$ref")
    if not ref:
        return None, schema
    name = ref.rsplit("/", 1)[-1]
    return name, openapi["components"]["schemas"][name]


def type_name(schema: dict[str, Any]) -> str:
    """A short type for a property schema: 'string', 'boolean', 'array of Token', 'string | null'."""
    if "$ref" in schema:
        return schema["$ref"].rsplit("/", 1)[-1]
    if "anyOf" in schema:
        return " | ".join(type_name(option) for option in schema["anyOf"])
    if schema.get("type") == "array":
        return f"array of {type_name(schema.get('items', {}))}"
    return str(schema.get("type", "any"))


def _fields(schema: dict[str, Any]) -> list[SchemaField]:
    required = set(schema.get("required", []))
    return [
        SchemaField(
            name=name,
            type=type_name(prop),
            required=name in required,
            default=json.dumps(prop["default"]) if "default" in prop else None,
            description=prop.get("description", ""),
        )
        for name, prop in schema.get("properties", {}).items()
    ]


PLACEHOLDERS = {"string": "Hello, world!", "integer": 1, "number": 1.0, "boolean": False}


def example_body(schema: dict[str, Any]) -> dict[str, Any] | None:
    """The schema's own example, else one built from its required fields' examples or placeholders."""
    if not schema:
        return None
    if schema.get("examples"):
        return schema["examples"][0]
    required = set(schema.get("required", []))
    body = {}
    for name, prop in schema.get("properties", {}).items():
        if prop.get("examples"):
            body[name] = prop["examples"][0]
        elif name in required:
            body[name] = PLACEHOLDERS.get(prop.get("type", "string"), "…")
    return body


def _curl(method: str, url: str, example: Any) -> str:
    if example is None:
        return f"curl -s {shlex.quote(url)}"
    body = json.dumps(example, ensure_ascii=False)
    return (
        f"curl -s -X {method} {shlex.quote(url)} -H 'Content-Type: application/json' -d {shlex.quote(body)}"
    )


def api_operations(*, openapi: dict[str, Any], base_url: str) -> list[ApiOperation]:
    """Every operation under /api/, with its body's fields, responses and an example curl."""
    operations = []
    for path, methods in openapi.get("paths", {}).items():
        if not path.startswith(API_PREFIX):
            continue
        for method, spec in methods.items():
            body_name, body = None, {}
            content = spec.get("requestBody", {}).get("content", {}).get("application/json")
            if content:
                body_name, body = _resolve(content["schema"], openapi)
            ok = spec.get("responses", {}).get("200", {}).get("content", {}).get("application/json", {})
            response_name = _resolve(ok["schema"], openapi)[0] if "schema" in ok else None
            response_type = type_name(ok["schema"]) if "schema" in ok else None
            example = example_body(body)
            operations.append(
                ApiOperation(
                    method=method.upper(),
                    path=path,
                    summary=spec.get("summary", ""),
                    description=spec.get("description", ""),
                    body_name=body_name,
                    body_fields=_fields(body),
                    response_name=response_name,
                    response_type=response_type,
                    responses=[
                        (code, r.get("description", "")) for code, r in spec.get("responses", {}).items()
                    ],
                    curl=_curl(method.upper(), base_url.rstrip("/") + path, example),
                )
            )
    return operations


def component_fields(*, openapi: dict[str, Any], name: str) -> list[SchemaField]:
    """The properties of a named component schema (a response's, for one)."""
    return _fields(openapi.get("components", {}).get("schemas", {}).get(name, {}))
