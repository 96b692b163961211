from django.contrib import admin
from django.http import HttpRequest

from .models import ProtocolVersion


@admin.register(ProtocolVersion)
class ProtocolVersionAdmin(admin.ModelAdmin):
    """Read-only: versions are adopted through the protocol page or an amendment decision,
    where the document is validated; history is never edited."""

    list_display = [
        "assembly",
        "number",
        "preset",
        "adopted_at",
        "adopted_by",
        "decision_reference",
    ]
    list_select_related = ["assembly", "adopted_by"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
