from typing import Any

from django import forms
from django.contrib import admin, messages
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext

from folkmoot.refusals import Refused

from .frozen import FIXED_FIELDS, VOTE_IS_FIXED, check_vote_change, is_fixed
from .models import Vote


@admin.register(Vote)
class VoteAdmin(admin.ModelAdmin):
    list_display = ["title", "method", "seats", "assembly", "created_at"]
    readonly_fields = ["lot_seed"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        """Issue 10: once a vote has opened (or anyone has voted), what it asks and how it
        counts are shown, not offered for editing: reordering its options would reassign
        every ballot cast."""
        fields = list(super().get_readonly_fields(request, obj))
        if obj is not None and is_fixed(obj):
            fields += [name for name in FIXED_FIELDS if name not in fields]
        return fields

    def render_change_form(
        self,
        request: HttpRequest,
        context: dict[str, Any],
        add: bool = False,
        change: bool = False,
        form_url: str = "",
        obj: Any = None,
    ) -> HttpResponse:
        if obj is not None and is_fixed(obj):
            messages.info(request, VOTE_IS_FIXED.render(gettext))  # why the fields are locked
        return super().render_change_form(request, context, add, change, form_url, obj)

    def get_form(
        self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any
    ) -> Any:
        form = super().get_form(request, obj, change, **kwargs)
        if obj is None:
            return form

        class FixedOnceOpen(form):  # type: ignore[valid-type,misc]
            """The vote may have opened since the form was shown: asked again on saving."""

            def clean(self) -> Any:
                data = super().clean()
                try:
                    check_vote_change(obj, self.changed_data)
                except Refused as refused:
                    raise forms.ValidationError(refused.messages) from refused
                return data

        return FixedOnceOpen
