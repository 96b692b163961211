"""Protocols through the API: read the one in force (JSON or text), list versions, validate
a document, and (staff) adopt one."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Field, Router, Schema
from ninja import Status as Reply

from folkmoot.api.auth import OPTIONAL, REQUIRED
from folkmoot.federation.actions import access_assembly
from folkmoot.governance.protocol import ProtocolInvalid, load_protocol
from folkmoot.refusals import NotFound

from . import actions, selectors
from .models import ProtocolVersion
from .texts import problems_text, protocol_markdown

router = Router(tags=["protocols"])


class VersionOut(Schema):
    number: int
    assembly: str
    adopted_at: datetime
    adopted_by: str | None
    decision_reference: str
    preset: str
    note: str


class InForceOut(Schema):
    version: VersionOut
    inherited_from: str | None
    protocol: dict[str, Any]


class DocumentIn(Schema):
    document: str = Field(max_length=200_000)


class Problem(Schema):
    path: str
    code: str
    message: str


class ValidationOut(Schema):
    valid: bool
    problems: list[Problem]


class AdoptIn(DocumentIn):
    decision_reference: str = Field("", max_length=200)
    note: str = Field("", max_length=5000)


def _version(version: ProtocolVersion, slug: str) -> dict[str, Any]:
    return {
        "number": version.number,
        "assembly": slug,
        "adopted_at": version.adopted_at,
        "adopted_by": str(version.adopted_by) if version.adopted_by else None,
        "decision_reference": version.decision_reference,
        "preset": version.preset,
        "note": version.note,
    }


def _in_force(request: HttpRequest, key: str) -> tuple[Any, selectors.InForce]:
    assembly = access_assembly(request.user, key)
    in_force = selectors.protocol_in_force(assembly)
    if in_force is None:
        raise NotFound(key)
    return assembly, in_force


@router.get(
    "/assemblies/{key}/protocol",
    response=InForceOut,
    auth=OPTIONAL,
    summary="The protocol in force, as JSON",
)
def read_protocol(request: HttpRequest, key: str) -> dict[str, Any]:
    assembly, in_force = _in_force(request, key)
    return {
        "version": _version(in_force.version, in_force.source.slug),
        "inherited_from": in_force.source.slug if in_force.inherited_for(assembly) else None,
        "protocol": in_force.protocol.model_dump(mode="json"),
    }


@router.get(
    "/assemblies/{key}/protocol/text",
    auth=OPTIONAL,
    summary="The protocol in force, as Markdown in your language",
    openapi_extra={
        "responses": {
            200: {
                "description": "OK",
                "content": {"text/markdown": {"schema": {"type": "string"}}},
            }
        }
    },
)
def read_protocol_text(request: HttpRequest, key: str, lang: str | None = None) -> HttpResponse:
    from django.utils import translation

    _assembly, in_force = _in_force(request, key)
    language = lang if lang in ("en", "es", "fr", "ja") else None
    with translation.override(language or translation.get_language()):
        text = protocol_markdown(in_force.protocol)
    return HttpResponse(text, content_type="text/markdown; charset=utf-8")


@router.get(
    "/assemblies/{key}/protocol/versions",
    response=list[VersionOut],
    auth=OPTIONAL,
    summary="Every version adopted here",
)
def list_versions(request: HttpRequest, key: str) -> list[dict[str, Any]]:
    assembly = access_assembly(request.user, key)
    return [_version(v, assembly.slug) for v in selectors.versions_of(assembly)]


# Problems that say the document is beyond what the server reads at all (issue 10), like a
# document over the length limit: the request is refused (422) rather than answered.
UNREADABLE = frozenset({"too_deep", "too_large"})


@router.post(
    "/protocols/validate",
    response={200: ValidationOut, 422: ValidationOut},
    auth=OPTIONAL,
    summary="Check a protocol document",
    description=(
        "200 with `valid` and every problem found; 422 (same shape) when the document is "
        "nested too deeply or expands to too many values to be read at all."
    ),
)
def validate_protocol(request: HttpRequest, payload: DocumentIn) -> Reply[dict[str, Any]]:
    try:
        load_protocol(payload.document)
    except ProtocolInvalid as invalid:
        status = 422 if any(p.code in UNREADABLE for p in invalid.problems) else 200
        return Reply(status, {"valid": False, "problems": problems_text(invalid)})
    return Reply(200, {"valid": True, "problems": []})


@router.post(
    "/assemblies/{key}/protocol/versions",
    response={201: VersionOut, 422: ValidationOut},
    auth=REQUIRED,
    summary="Adopt a new version (staff)",
)
def adopt_version(request: HttpRequest, key: str, payload: AdoptIn) -> Reply[dict[str, Any]]:
    assembly = access_assembly(request.user, key)
    try:
        version = actions.check_adopt_protocol_version(
            request.user,
            assembly,
            payload.document,
            decision_reference=payload.decision_reference,
            note=payload.note,
        )
    except ProtocolInvalid as invalid:
        return Reply(422, {"valid": False, "problems": problems_text(invalid)})
    return Reply(201, _version(version, assembly.slug))
