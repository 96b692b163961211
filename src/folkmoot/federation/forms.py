from collections.abc import Sequence
from typing import Any

from django import forms
from django.conf import settings
from django.db.models import Q
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from .actions import descendant_ids
from .models import FOUNDING_FIELDS, TEXT_FIELDS, Assembly, AssemblyType, ReshapeRequest


class TreeFilterForm(forms.Form):
    type = forms.ChoiceField(
        label=_("Type"),
        required=False,
        choices=[("", _("All types")), *AssemblyType.choices],
    )


class JoinForm(forms.Form):
    message = forms.CharField(
        label=_("Message to the secretary (optional)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(choices=[("approve", _("Approve")), ("reject", _("Reject"))])
    note = forms.CharField(label=_("Note to the applicant"), required=False, max_length=2000)


class FoundingForm(forms.ModelForm):
    """Every ASM-1 field a proposer sets, the eligibility rules (MEM-2) and an optional
    umbrella (ASM-2), for an assembly below `parent`. The address (slug) is made from the
    title when left empty. The same form checks the API's proposals."""

    umbrella = forms.ModelChoiceField(
        label=_("Also a member of (umbrella)"),
        required=False,
        queryset=Assembly.objects.none(),
        help_text=_("An assembly of the federation that this one becomes a member of."),
    )

    class Meta:
        model = Assembly
        # What a founding proposal holds (founding.FIELDS), the umbrella aside: it is no
        # field of the assembly but a link made at approval.
        fields = [name for name in FOUNDING_FIELDS if name != "umbrella"]
        widgets = {
            "short_description": forms.Textarea(attrs={"rows": 2}),
            "description": forms.Textarea(attrs={"rows": 5}),
            "purpose_of_action": forms.Textarea(attrs={"rows": 3}),
            "composition": forms.Textarea(attrs={"rows": 2}),
            "internal_organisation": forms.Textarea(attrs={"rows": 3}),
            "remits": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(
        self, *args: Any, parent: Assembly, types: Sequence[str], user: Any = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.parent = parent
        self.fields["slug"].required = False
        self.fields["slug"].label = _("Address")
        # ASM-2: constituency ⊂ city ⊂ region; the type one level down is the likely one.
        below: dict[str, str] = {
            AssemblyType.REGION: AssemblyType.CITY,
            AssemblyType.CITY: AssemblyType.CONSTITUENCY,
        }
        self.fields["assembly_type"].initial = below.get(parent.assembly_type)
        self.fields["slug"].help_text = _(
            "The assembly's address: lower-case letters, digits and hyphens. Made from the "
            "title when left empty."
        )
        allowed = [
            (value, label)
            for value, label in AssemblyType.choices
            if value != AssemblyType.FEDERATION and (not types or value in types)
        ]
        self.fields["assembly_type"].choices = allowed  # type: ignore[attr-defined]
        federation = parent.root or parent
        # Only assemblies the proposer may see: a restricted one is neither named nor offered.
        same = (
            Assembly.objects.visible_to(user)
            .open()
            .filter(Q(root=federation) | Q(pk=federation.pk))
            .order_by("title")
        )
        self.fields["umbrella"].queryset = same  # type: ignore[attr-defined]
        self.fields["required_assembly"].queryset = same  # type: ignore[attr-defined]

    def clean_slug(self) -> str:
        slug = self.cleaned_data.get("slug") or slugify(self.data.get("title", ""))[:80]
        if not slug:
            raise forms.ValidationError(_("Give the assembly a title or an address."))
        if Assembly.objects.filter(slug=slug).exists():
            raise forms.ValidationError(
                _("The address “%(slug)s” is taken: choose another."), params={"slug": slug}
            )
        return slug

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        low, high = data.get("min_age"), data.get("max_age")
        if low is not None and high is not None and low > high:
            self.add_error("max_age", _("The maximum age is below the minimum age."))
        return data

    def _post_clean(self) -> None:
        # The instance is built at approval, below the parent; the model's own checks (a
        # unique slug, the age range) are made above, so nothing is validated twice here.
        pass

    def proposal(self) -> dict[str, Any]:
        """The cleaned fields as stored in a FoundingRequest: JSON, foreign keys as ids."""
        data = dict(self.cleaned_data)
        for key in ("umbrella", "required_assembly"):
            data[key] = data[key].pk if data.get(key) is not None else None
        return data


class TranslatedForm(forms.ModelForm):
    """A model form over texts in their own `language`, with a translation of each field in
    `TRANSLATED` into each of the site's other languages (fields `<lang>__<field>`), kept in
    the instance's `translations` ({lang: {field: text}}; empty fields show the original)."""

    TRANSLATED: tuple[str, ...] = ()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        given = self.instance.translations or {}
        for code, _name in settings.LANGUAGES:
            for field in self.TRANSLATED:
                original = self.fields[field]
                one_line = isinstance(original.widget, forms.TextInput)
                self.fields[f"{code}__{field}"] = forms.CharField(
                    label=original.label,
                    required=False,
                    max_length=getattr(original, "max_length", None),
                    initial=given.get(code, {}).get(field, ""),
                    widget=forms.TextInput(attrs={"lang": code})
                    if one_line
                    else forms.Textarea(attrs={"rows": 3, "lang": code}),
                )

    def translation_groups(self) -> list[tuple[str, str, list[Any]]]:
        """(code, language name, bound fields) for each language but the original."""
        original = self["language"].value()
        return [
            (code, name, [self[f"{code}__{field}"] for field in self.TRANSLATED])
            for code, name in settings.LANGUAGES
            if code != original
        ]

    def save(self, commit: bool = True) -> Any:
        instance = super().save(commit=False)
        translations: dict[str, dict[str, str]] = {}
        for code, _name in settings.LANGUAGES:
            if code == instance.language:
                continue
            given = {f: self.cleaned_data.get(f"{code}__{f}", "").strip() for f in self.TRANSLATED}
            if any(given.values()):
                translations[code] = {k: v for k, v in given.items() if v}
        instance.translations = translations
        return instance


class TextsForm(TranslatedForm):
    """The secretary's edit of the assembly's texts (ASM-1, issue 13)."""

    TRANSLATED = TEXT_FIELDS

    class Meta:
        model = Assembly
        fields = ["language", *TEXT_FIELDS]
        widgets = {
            name: forms.Textarea(attrs={"rows": 3})
            for name in TEXT_FIELDS
            if name not in ("title", "subtitle")
        }


PAGE_FIELDS = ("title", "summary", "body")


class PageForm(TranslatedForm):
    """A federation page (issue 13) and its translations."""

    TRANSLATED = PAGE_FIELDS

    class Meta:
        from .models import FederationPage

        model = FederationPage
        fields = ["slug", "language", *PAGE_FIELDS]
        widgets = {
            "summary": forms.Textarea(attrs={"rows": 3}),
            "body": forms.Textarea(attrs={"rows": 12}),
        }

    def __init__(self, *args: Any, federation: Assembly, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.federation = federation
        if self.instance.pk:
            self.fields["slug"].disabled = True  # its address stays, links to it too

    def clean_slug(self) -> str:
        from .models import FederationPage

        slug = self.cleaned_data["slug"]
        taken = FederationPage.objects.filter(federation=self.federation, slug=slug)
        if self.instance.pk:
            taken = taken.exclude(pk=self.instance.pk)
        if taken.exists():
            raise forms.ValidationError(_("This federation has a page at this address already."))
        return str(slug)

    def save(self, commit: bool = True) -> Any:
        page = super().save(commit=False)
        page.federation = self.federation
        return page


class ReshapeForm(forms.Form):
    """Moving, merging or closing `assembly` (ASM-2, issue 13). The other assembly is one of
    the same federation the proposer may see, open, and neither this one nor inside it; the
    rules say the rest when it is checked. The same form checks the API's proposals."""

    kind = forms.ChoiceField(
        label=_("Change"), choices=ReshapeRequest.Kind.choices, widget=forms.RadioSelect
    )
    target = forms.ModelChoiceField(
        label=_("Other assembly"),
        required=False,
        queryset=Assembly.objects.none(),
        help_text=_("Where it moves to, or what it merges into. Not needed to close it."),
    )
    why = forms.CharField(
        label=_("Why"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("The approving office reads it, and it stays on the record."),
    )

    def __init__(
        self, *args: Any, assembly: Assembly, allows: Sequence[str], user: Any, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.assembly = assembly
        self.fields["kind"].choices = [  # type: ignore[attr-defined]
            (value, label) for value, label in ReshapeRequest.Kind.choices if value in allows
        ]
        federation = assembly.root or assembly
        self.fields["target"].queryset = (  # type: ignore[attr-defined]
            Assembly.objects.visible_to(user)
            .open()
            .filter(Q(root=federation) | Q(pk=federation.pk))
            .exclude(pk__in=[assembly.pk, *descendant_ids(assembly.pk)])
            .order_by("title")
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("kind") in ("move", "merge") and not data.get("target"):
            self.add_error(
                "target",
                _("Choose the assembly to move it under.")
                if data["kind"] == "move"
                else _("Choose the assembly to merge it into."),
            )
        if data.get("kind") == "close":
            data["target"] = None
        return data
