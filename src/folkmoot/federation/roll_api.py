"""The member roll through the API (MEM-1, issue 13): the same checks, preview, background
application and export as the pages (UI-5)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import HttpRequest, StreamingHttpResponse
from ninja import File, Router, Schema
from ninja import Status as Reply
from ninja.files import UploadedFile

from folkmoot.api.auth import REQUIRED

from . import roll, roll_file
from .actions import access_assembly
from .models import RollImport

router = Router(tags=["member roll"])


class RollImportOut(Schema):
    id: int
    state: str  # previewed, queued, running, done, failed
    filename: str
    uploaded_at: datetime
    total: int
    done: int
    preview: dict[str, Any]  # counts: join, promote, stay, invite, stop; examples
    problems: list[tuple[int, str]]  # [line, reason] of each row left out
    summary: dict[str, int]  # once done: joined, promoted, stayed, invited, stopped


def _out(made: RollImport) -> dict[str, Any]:
    return {
        "id": made.pk,
        "state": made.state,
        "filename": made.filename,
        "uploaded_at": made.created_at,
        "total": made.total,
        "done": made.done,
        "preview": made.preview,
        "problems": [tuple(p) for p in made.problems],
        "summary": made.summary,
    }


@router.post(
    "/assemblies/{key}/roll/imports",
    response={201: RollImportOut},
    auth=REQUIRED,
    summary="Check a roll (CSV) and preview what it changes; nothing changes yet",
)
def upload(request: HttpRequest, key: str, file: File[UploadedFile]) -> Reply[dict[str, Any]]:
    federation = access_assembly(request.user, key)
    made = roll.check_roll_upload(
        request.user, federation, file.read(roll_file.MAX_BYTES + 1), file.name or ""
    )
    return Reply(201, _out(made))


@router.get(
    "/assemblies/{key}/roll/imports/{import_id}",
    response=RollImportOut,
    auth=REQUIRED,
    summary="A roll import: its preview, progress and summary",
)
def read(request: HttpRequest, key: str, import_id: int) -> dict[str, Any]:
    federation = access_assembly(request.user, key)
    return _out(roll.access_import(request.user, federation, import_id))


@router.post(
    "/assemblies/{key}/roll/imports/{import_id}/confirm",
    response={202: RollImportOut},
    auth=REQUIRED,
    summary="Apply the previewed roll (a background task; follow its progress)",
)
def confirm(request: HttpRequest, key: str, import_id: int) -> Reply[dict[str, Any]]:
    federation = access_assembly(request.user, key)
    made = roll.check_confirm_roll(
        request.user, roll.access_import(request.user, federation, import_id)
    )
    return Reply(202, _out(made))


@router.get(
    "/assemblies/{key}/roll.csv",
    auth=REQUIRED,
    summary="The roll as it stands (CSV: email, name, member_since)",
    openapi_extra={"responses": {200: {"description": "CSV", "content": {"text/csv": {}}}}},
)
def export(request: HttpRequest, key: str) -> StreamingHttpResponse:
    federation = access_assembly(request.user, key)
    roll.access_roll(request.user, federation)
    return StreamingHttpResponse(roll.roll_csv(federation), content_type="text/csv; charset=utf-8")
