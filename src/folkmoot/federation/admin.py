"""Staff shape the federation in Django's admin, through the same checks as everything else:
a nesting or umbrella cycle is refused with the core's reason."""

from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest

from folkmoot.refusals import reasons_text

from . import actions
from .models import Assembly, JoinRequest, Membership, UmbrellaMembership


class AssemblyForm(forms.ModelForm):
    class Meta:
        model = Assembly
        fields = [
            "slug",
            "title",
            "subtitle",
            "short_description",
            "description",
            "purpose_of_action",
            "composition",
            "internal_organisation",
            "remits",
            "assembly_type",
            "parent",
            "reference_prefix",
            "country",
            "access_mode",
            "join_policy",
            "newcomer_status",
            "secretary_elected",
            "min_age",
            "max_age",
            "required_attribute",
            "required_assembly",
            "min_seniority_days",
            "created_at",
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        parent = data.get("parent")
        if self.instance.pk:
            answer = actions.check_assembly_parent(self.instance, parent)
            if not answer:
                self.add_error("parent", reasons_text(answer))
        if parent is None and not data.get("reference_prefix"):
            self.add_error(
                "reference_prefix",
                forms.ValidationError(self.fields["reference_prefix"].help_text, code="required"),
            )
        return data


class UmbrellaForm(forms.ModelForm):
    class Meta:
        model = UmbrellaMembership
        fields = ["umbrella"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        umbrella = data.get("umbrella")
        member = self.instance.member if self.instance.member_id else None
        if umbrella is not None and member is not None and member.pk:
            answer = actions.check_umbrella_link(member, umbrella)
            if not answer and not self.instance.pk:
                self.add_error("umbrella", reasons_text(answer))
        return data


class UmbrellaInline(admin.TabularInline):
    model = UmbrellaMembership
    fk_name = "member"
    form = UmbrellaForm
    extra = 0
    verbose_name = "umbrella"


@admin.register(Assembly)
class AssemblyAdmin(admin.ModelAdmin):
    form = AssemblyForm
    list_display = ["title", "assembly_type", "parent", "access_mode", "join_policy"]
    list_filter = ["assembly_type", "access_mode", "join_policy"]
    list_select_related = ["parent"]
    search_fields = ["title", "slug"]
    prepopulated_fields = {"slug": ["title"]}
    inlines = [UmbrellaInline]

    def save_model(self, request: HttpRequest, obj: Assembly, form: Any, change: bool) -> None:
        actions.do_save_assembly(assembly=obj, actor=request.user)


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "assembly", "status", "started_at", "ended_at"]
    list_filter = ["status", "assembly"]
    list_select_related = ["user", "assembly"]
    raw_id_fields = ["user"]


@admin.register(JoinRequest)
class JoinRequestAdmin(admin.ModelAdmin):
    list_display = ["user", "assembly", "created_at", "decided_at", "approved"]
    list_select_related = ["user", "assembly"]
    raw_id_fields = ["user", "decided_by"]
