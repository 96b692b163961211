from datetime import date

from django import forms
from django.utils.translation import gettext_lazy as _

from .attributes import CommunityAttribute
from .models import User


class SignupForm(forms.Form):
    """Extra fields on allauth's registration form."""

    display_name = forms.CharField(
        label=_("Display name"),
        max_length=80,
        help_text=_("Shown next to what you write. It need not be your legal name."),
    )

    def signup(self, request: object, user: User) -> None:
        user.display_name = self.cleaned_data["display_name"]
        user.save(update_fields=["display_name"])


class ProfileForm(forms.ModelForm):
    attributes = forms.MultipleChoiceField(
        label=_("Community attributes"),
        required=False,
        choices=CommunityAttribute.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Optional and self-declared; some assemblies are for these communities."),
    )

    consent = forms.BooleanField(
        label=_(
            "I agree that this site keeps the attributes I declare. They are sensitive: only "
            "the eligibility rules of assemblies read them, and I may remove them at any time."
        ),
        required=False,
    )

    class Meta:
        model = User
        fields = ["display_name", "language", "birth_date", "attributes"]
        widgets = {"birth_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        adding = set(data.get("attributes") or ()) - set(self.instance.attributes or ())
        if adding and not data.get("consent") and self.instance.attributes_consented_at is None:
            self.add_error(
                "consent",
                _("Tick the consent to declare an attribute, or leave the attributes empty."),
            )
        return data

    def clean_birth_date(self) -> date | None:
        born = self.cleaned_data.get("birth_date")
        if born and born > date.today():
            raise forms.ValidationError(_("The birth date cannot be in the future."))
        if born and born.year < 1900:
            raise forms.ValidationError(_("Enter a birth date after 1900."))
        return born


class ApiTokenForm(forms.Form):
    name = forms.CharField(label=_("Token name"), max_length=80, help_text=_("e.g. “my script”"))
