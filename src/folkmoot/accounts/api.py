from datetime import date, datetime
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema
from pydantic import field_validator

from folkmoot.api.auth import REQUIRED
from folkmoot.governance.reasons import Answer, Reason, gettext_noop
from folkmoot.refusals import Invalid

from .actions import do_update_profile
from .attributes import CommunityAttribute
from .models import User
from .personal_data import do_erase_account, export_of
from .picker import find_people

router = Router(tags=["me"])


class ProfileOut(Schema):
    id: str = Field(description="my public id")
    attributes_consented_at: datetime | None
    email: str
    display_name: str
    language: str
    birth_date: date | None
    attributes: list[str]


class ProfileIn(Schema):
    """Only the fields sent are changed."""

    display_name: str | None = Field(None, min_length=1, max_length=80)
    language: str | None = None
    birth_date: date | None = None
    attributes: list[str] | None = None
    consent: bool = Field(
        False,
        description="explicit consent to keep the attributes declared (special-category "
        "data); needed the first time attributes are declared",
    )

    model_config = {"extra": "forbid"}

    @field_validator("display_name", "language", "attributes")
    @classmethod
    def not_null(cls, value: Any) -> Any:
        """Sent as null: refused in words (a field left out keeps its value; only the birth
        date may be cleared)."""
        if value is None:
            raise ValueError(_("Give a value, or leave the field out to keep it as it is."))
        return value

    @field_validator("language")
    @classmethod
    def known_language(cls, value: str | None) -> str | None:
        if value not in (None, "", *dict(settings.LANGUAGES)):
            raise ValueError(
                _("Choose one of: %(choices)s.") % {"choices": ", ".join(dict(settings.LANGUAGES))}
            )
        return value

    @field_validator("birth_date")
    @classmethod
    def plausible_birth_date(cls, value: date | None) -> date | None:
        if value is not None and value > date.today():
            raise ValueError(_("The birth date cannot be in the future."))
        return value

    @field_validator("attributes")
    @classmethod
    def known_attributes(cls, value: list[str] | None) -> list[str] | None:
        unknown = sorted(set(value or ()) - set(CommunityAttribute.values))
        if unknown:
            raise ValueError(
                _("Unknown community attribute: %(names)s.") % {"names": ", ".join(unknown)}
            )
        return value


def _out(user: Any) -> dict[str, Any]:
    return {
        "id": user.public_id,
        "attributes_consented_at": user.attributes_consented_at,
        "email": user.email,
        "display_name": user.display_name,
        "language": user.language,
        "birth_date": user.birth_date,
        "attributes": list(user.attribute_set),
    }


@router.get("/me", response=ProfileOut, auth=REQUIRED, summary="My profile")
def read_me(request: HttpRequest) -> dict[str, Any]:
    return _out(request.user)


@router.patch("/me", response=ProfileOut, auth=REQUIRED, summary="Change my profile")
def update_me(request: HttpRequest, payload: ProfileIn) -> dict[str, Any]:
    me: User = request.user  # type: ignore[assignment]  # auth=REQUIRED
    changes = payload.model_dump(exclude_unset=True)
    adding = set(changes.get("attributes") or ()) - set(me.attributes or ())
    if adding and not changes.get("consent") and me.attributes_consented_at is None:
        raise Invalid(
            Answer.no(
                Reason(
                    "consent_needed",
                    gettext_noop("Give your consent to declare an attribute (consent: true)."),
                )
            ),
            ["consent"],
        )
    if changes:
        do_update_profile(user=request.user, changes=changes)  # type: ignore[arg-type]
    return _out(request.user)


class PersonOut(Schema):
    id: str = Field(description="the person's public id, as the API takes it")
    name: str


@router.get(
    "/assemblies/{key}/people",
    response=list[PersonOut],
    auth=REQUIRED,
    tags=["people"],
    summary="Find people taking part in a federation by name (the person picker)",
)
def find(request: HttpRequest, key: str, q: str) -> list[dict[str, str]]:
    """People taking part in the federation of assembly `key`: at least two characters, at
    most 20 people, by name."""
    from folkmoot.federation.actions import access_assembly
    from folkmoot.federation.models import Membership
    from folkmoot.refusals import NotFound

    assembly = access_assembly(request.user, key)
    # Only someone taking part in the federation searches its people (a restricted
    # federation's members are not listed to outsiders through an open child assembly).
    if not (
        getattr(request.user, "is_staff", False)
        or Membership.objects.active()
        .filter(user_id=request.user.pk or 0, assembly_id=assembly.federation_id)
        .exists()
    ):
        raise NotFound(key)
    return [
        {"id": p.public_id, "name": p.display_name} for p in find_people(q, assembly.federation_id)
    ]


@router.get("/me/data", auth=REQUIRED, summary="Everything kept about me (UK GDPR), as JSON")
def my_data(request: HttpRequest) -> dict[str, Any]:
    return export_of(request.user)  # type: ignore[arg-type]  # auth=REQUIRED


class EraseIn(Schema):
    password: str = Field(min_length=1, max_length=4096)


class ErasedOut(Schema):
    erased: bool


@router.post(
    "/me/erase",
    response=ErasedOut,
    auth=REQUIRED,
    summary="Delete my account: what I wrote stays, signed by a former member",
)
def erase_me(request: HttpRequest, payload: EraseIn) -> dict[str, bool]:
    if not request.user.check_password(payload.password):
        raise Invalid(
            Answer.no(
                Reason(
                    "wrong_password",
                    gettext_noop("That is not your password: nothing was deleted."),
                )
            ),
            ["password"],
        )
    do_erase_account(user=request.user)  # type: ignore[arg-type]  # auth=REQUIRED
    return {"erased": True}
