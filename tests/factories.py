from datetime import datetime

import factory
from allauth.account.models import EmailAddress
from django.utils import timezone

from folkmoot.accounts.models import User
from folkmoot.federation import actions
from folkmoot.federation.models import Assembly, AssemblyType


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    display_name = factory.Sequence(lambda n: f"Person {n}")
    password = factory.PostGenerationMethodCall("set_password", "correct-horse-battery")

    @factory.post_generation
    def verified(self, create: bool, extracted: object, **kwargs: object) -> None:
        self.save()
        if create:
            EmailAddress.objects.create(user=self, email=self.email, verified=True, primary=True)


def make_assembly(slug: str, *, parent: Assembly | None = None, **fields: object) -> Assembly:
    fields.setdefault("title", slug.replace("-", " ").title())
    fields.setdefault(
        "assembly_type", AssemblyType.FEDERATION if parent is None else AssemblyType.OPERATIONAL
    )
    if parent is None:
        fields.setdefault("reference_prefix", "TEST")
    fields.setdefault("created_at", timezone.make_aware(datetime(2025, 9, 14, 12)))
    return actions.do_save_assembly(
        assembly=Assembly(slug=slug, parent=parent, **fields), actor=None
    )
