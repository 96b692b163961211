from django import forms
from django.utils.translation import gettext_lazy as _


class AdoptForm(forms.Form):
    document = forms.CharField(
        label=_("Protocol document (YAML)"),
        widget=forms.Textarea(attrs={"rows": 24, "spellcheck": "false"}),
        max_length=200_000,
    )
    decision_reference = forms.CharField(
        label=_("Adopted by decision"), required=False, max_length=200
    )
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
