from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _


class PostForm(forms.Form):
    body = forms.CharField(
        label=_("Text (Markdown)"), widget=forms.Textarea(attrs={"rows": 6}), max_length=20_000
    )
    as_office = forms.ChoiceField(label=_("Write as"), required=False)
    # FOR-7: an image or a file with what is written (folkmoot.attachments judges it); the
    # edit page has its own form for more.
    file = forms.FileField(label=_("Attach an image or a file (optional)"), required=False)

    def __init__(
        self, *args: Any, offices: list[tuple[str, str]] | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["as_office"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", _("myself, as a citizen")), *(offices or [])]
        if not offices:
            self.fields["as_office"].widget = forms.HiddenInput()


class ThreadForm(PostForm):
    title = forms.CharField(label=_("Title"), max_length=200)
    tag = forms.ChoiceField(label=_("Tag"), required=False)
    field_order = ["title", "tag", "body", "as_office", "file"]

    def __init__(
        self, *args: Any, tags: list[str] | None = None, tag_required: bool = False, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["tag"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = ([] if tag_required else [("", _("no tag"))]) + [(t, t) for t in tags or []]
        if not tags:
            self.fields["tag"].widget = forms.HiddenInput()
