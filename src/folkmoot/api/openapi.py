"""The OpenAPI document lists every status an operation can answer, not only its success
(issue 10): the refusals, missing objects and invalid requests that `errors.py` turns into
JSON have one shared shape each, declared once here instead of in every router."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import NinjaAPI
from ninja.openapi.schema import OpenAPISchema
from ninja.operation import Operation
from ninja.parser import Parser

from . import auth

REF = "#/components/schemas/{}"

_REASON = {
    "type": "object",
    "properties": {
        "code": {"type": "string", "description": "Stable, for programs."},
        "message": {"type": "string", "description": "For people, in their language."},
    },
    "required": ["code", "message"],
}
_FIELD_ERROR = {
    "type": "object",
    "properties": {
        "field": {"type": "string", "description": "Dotted path of the field, or `body`."},
        "message": {"type": "string"},
        "type": {"type": "string", "description": "Stable kind of problem."},
    },
    "required": ["field", "message", "type"],
}

# The bodies of `errors.py` (and of `http_errors.py`), so clients can rely on them.
ERROR_SCHEMAS: dict[str, dict[str, Any]] = {
    "Error": {
        "title": "Error",
        "type": "object",
        "properties": {"detail": {"type": "string"}},
        "required": ["detail"],
    },
    "Refusal": {
        "title": "Refusal",
        "type": "object",
        "properties": {
            "detail": {"type": "string", "description": "Every reason, as one sentence."},
            "reasons": {"type": "array", "items": _REASON, "minItems": 1},
        },
        "required": ["detail", "reasons"],
    },
    "InvalidRequest": {
        "title": "InvalidRequest",
        "type": "object",
        "properties": {
            "detail": {"type": "string"},
            "errors": {"type": "array", "items": _FIELD_ERROR},
        },
        "required": ["detail", "errors"],
    },
}

_REQUIRED_401 = "Not signed in: send a valid bearer token, or the session cookie."
_OPTIONAL_401 = "A bearer token was sent but is not valid (anonymous calls need none)."
_DESCRIPTIONS = {
    403: "Refused: each of `reasons` has a stable `code` and a `message` saying why.",
    404: "No such object, or one you may not see (both look the same).",
    422: "The request is not valid: `errors` name each field and what is wrong with it.",
    429: "Too many requests: wait for the number of seconds in `Retry-After`.",
}
_SCHEMAS = {401: "Error", 403: "Refusal", 404: "Error", 422: "InvalidRequest", 429: "Error"}


def error_statuses(operation: Operation, details: dict[str, Any]) -> list[int]:
    """The statuses other than success that this operation can answer, from what it takes:
    authentication may fail, a path may name nothing, any input may be invalid."""
    statuses = []
    if operation.auth_callbacks:
        statuses += [401, 403]
    if any(p.get("in") == "path" for p in details.get("parameters", [])):
        statuses.append(404)
    if details.get("parameters") or details.get("requestBody"):
        statuses.append(422)
    if operation.throttle_objects:
        statuses.append(429)
    return statuses


class DocumentedSchema(OpenAPISchema):
    def operation_details(self, operation: Operation) -> dict[str, Any]:
        details = super().operation_details(operation)
        responses = details["responses"]
        for status in error_statuses(operation, details):
            _add_response(responses, status, self._description(operation, status))
        if _is_optional(operation):
            # Anonymous calls are welcome; a token or a session only changes what is seen.
            details["security"] = [{}, *self._required_security()]
        return details

    def _required_security(self) -> list[dict[str, list[str]]]:
        """The schemes of the operations that need sign-in, declared once in components."""
        names: list[dict[str, list[str]]] = []
        for callback in auth.REQUIRED:
            name = callback.__class__.__name__
            self.securitySchemes[name] = callback.openapi_security_schema
            names.append({name: []})
        return names

    def _description(self, operation: Operation, status: int) -> str:
        if status == 401:
            return _OPTIONAL_401 if _is_optional(operation) else _REQUIRED_401
        return _DESCRIPTIONS[status]

    def get_components(self) -> dict[str, Any]:
        components = super().get_components()
        components["schemas"].update(ERROR_SCHEMAS)
        return components


def _add_response(responses: dict[Any, Any], status: int, description: str) -> None:
    ref = {"$ref": REF.format(_SCHEMAS[status])}
    declared = responses.get(status)
    if declared is None:
        responses[status] = {
            "description": description,
            "content": {"application/json": {"schema": ref}},
        }
        return
    # An operation that declares its own body for this status (a protocol's problems for
    # 422) can still answer with the shared shape when the request itself is malformed.
    content = declared.setdefault("content", {}).setdefault("application/json", {})
    own = content.get("schema")
    content["schema"] = {"anyOf": [own, ref]} if own else ref


def _is_optional(operation: Operation) -> bool:
    return any(callback in auth.OPTIONAL for callback in operation.auth_callbacks)


class JsonObjectParser(Parser):
    """Every request body of this API is a JSON object. ninja would read `[]` or `5` as an
    object whose fields are all missing and apply it; refusing them here makes django-ninja
    answer its "cannot parse" error, which `http_errors` turns into a 422 naming `body`."""

    def parse_body(self, request: HttpRequest) -> dict[str, Any]:
        data = super().parse_body(request)
        if not isinstance(data, dict):
            raise ValueError("The request body is not a JSON object.")
        return data


class FolkmootAPI(NinjaAPI):
    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("parser", JsonObjectParser())
        super().__init__(**kwargs)

    def get_openapi_schema(
        self, *, path_prefix: str | None = None, path_params: dict[str, Any] | None = None
    ) -> OpenAPISchema:
        if path_prefix is None:
            path_prefix = self.get_root_path(path_params or {})
        return DocumentedSchema(self, path_prefix)
