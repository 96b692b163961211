"""The forms of moots (issue 14). People are chosen with the person picker (issue 13): type a
name; where several people match, the form comes back with them to choose from. It works
without JavaScript, and the API gives a public id instead."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from folkmoot.accounts.picker import by_public_id, find_people
from folkmoot.governance.moots import Plan, check_plan
from folkmoot.refusals import reasons_text

from .models import Moot, Registration


class PersonField(forms.CharField):
    """A person taking part in the federation, by public id or by (part of) their name."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        kwargs.setdefault("max_length", 80)
        super().__init__(*args, **kwargs)


class MootForm(forms.ModelForm):
    facilitator = PersonField(
        label=_("Facilitator"),
        help_text=_("Type part of a name. Left empty: you facilitate."),
    )
    minute_taker = PersonField(label=_("Minute-taker"), help_text=_("Type part of a name."))

    class Meta:
        model = Moot
        fields = [
            "title",
            "purpose",
            "starts_at",
            "ends_at",
            "place",
            "online_link",
            "capacity",
            "repeats",
            "private",
        ]
        widgets = {
            "purpose": forms.Textarea(attrs={"rows": 3}),
            "starts_at": forms.DateTimeInput(
                attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"
            ),
            "ends_at": forms.DateTimeInput(
                attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"
            ),
        }
        help_texts = {
            "online_link": _("Any address: a video call, a Jitsi room, a stream."),
            "capacity": _("Left empty: no limit. Beyond it, people wait in line for a seat."),
            "private": _("Only those the protocol lets attend see a private moot."),
            "repeats": _(
                "A series: the next moot is planned, at the same time, once this one meets; "
                "the points it leaves open carry over."
            ),
        }

    def __init__(self, *args: Any, federation_id: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.federation_id = federation_id
        self.choices: dict[str, list[Any]] = {}  # field → the people to choose among
        for name in ("starts_at", "ends_at"):
            self.fields[name].input_formats = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"]  # type: ignore[attr-defined]

    def _person(self, name: str) -> Any:
        value = (self.cleaned_data.get(name) or "").strip()
        if not value:
            return None
        chosen = by_public_id(value)
        if (
            chosen is not None
            and chosen.memberships.filter(
                assembly_id=self.federation_id, ended_at__isnull=True
            ).exists()
        ):
            return chosen
        found = find_people(value, self.federation_id)
        if len(found) == 1:
            return found[0]
        if not found:
            raise forms.ValidationError(
                _("Nobody taking part in the federation is called “%(name)s”."),
                params={"name": value},
            )
        self.choices[name] = found
        raise forms.ValidationError(_("Several people match: choose one."))

    def clean(self) -> dict[str, Any]:
        """The core's check of the plan, every problem at once (`governance.moots`)."""
        data = super().clean() or {}
        if data.get("starts_at") and data.get("ends_at"):
            plan = Plan(
                title=data.get("title", ""),
                starts_at=data["starts_at"],
                ends_at=data["ends_at"],
                place=data.get("place", ""),
                online_link=data.get("online_link", ""),
                capacity=data.get("capacity"),
            )
            for text in reasons_text(check_plan(plan, timezone.now())):
                self.add_error(None, text)
        return data

    def validate_constraints(self) -> None:
        """The core said it in words above; the database keeps the constraint."""

    def clean_facilitator(self) -> Any:
        return self._person("facilitator")

    def clean_minute_taker(self) -> Any:
        return self._person("minute_taker")


class MootEditForm(MootForm):
    """Changing a moot's plan while it is to come (`actions.check_edit_moot`): who runs it
    and who it is for stay as called."""

    class Meta(MootForm.Meta):
        fields = [f for f in MootForm.Meta.fields if f != "private"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        del self.fields["facilitator"], self.fields["minute_taker"]


class PointForm(forms.Form):
    title = forms.CharField(label=_("Point"), max_length=200, required=False)
    notes = forms.CharField(
        label=_("Notes (optional)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    minutes = forms.IntegerField(label=_("Minutes"), min_value=1, max_value=240, initial=10)


class RegistrationForm(forms.Form):
    mode = forms.ChoiceField(label=_("Coming"), choices=Registration.Mode.choices)
