from django import forms
from django.utils.translation import gettext_lazy as _

from .models import AssemblyType


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
