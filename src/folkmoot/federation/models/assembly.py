"""Assemblies (ASM-1..4): their texts, their place in the federation and who may join."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from folkmoot.accounts.attributes import CommunityAttribute
from folkmoot.governance.eligibility import EligibilityRules
from folkmoot.governance.federation import format_reference
from folkmoot.governance.membership import JoinPolicy, Status


class AssemblyType(models.TextChoices):
    """ASM-3. `federation` marks a root: the party itself is an assembly (DESIGN.md)."""

    FEDERATION = "federation", _("Federation")
    OPERATIONAL = "operational", _("Operational")
    REGION = "region", _("Region")
    CITY = "city", _("City")
    CONSTITUENCY = "constituency", _("Constituency")
    POLICY_SOCIETY = "policy-society", _("Policy society")
    COMMUNITY = "community", _("Community and identity")
    YOUTH = "youth", _("Youth")
    ALLIED = "allied", _("Allied")

    @classmethod
    def geographical(cls) -> tuple[str, ...]:
        return (cls.REGION, cls.CITY, cls.CONSTITUENCY)


class AccessMode(models.TextChoices):
    """Decidim's three: open (anyone sees and takes part), transparent (anyone sees, only
    members take part), restricted (only members see it)."""

    OPEN = "open", _("Open")
    TRANSPARENT = "transparent", _("Transparent")
    RESTRICTED = "restricted", _("Restricted")


# The texts an assembly writes about itself (ASM-1), which may be translated (issue 13).
TEXT_FIELDS = (
    "title",
    "subtitle",
    "short_description",
    "description",
    "purpose_of_action",
    "composition",
    "internal_organisation",
    "remits",
)


# What a proposal of a new assembly holds (issue 13): the texts, the type, access and joining,
# the eligibility rules (MEM-2) and the umbrella it joins; foreign keys as ids.
FOUNDING_FIELDS = (
    "title",
    "slug",
    *TEXT_FIELDS[1:],
    "assembly_type",
    "access_mode",
    "join_policy",
    "secretary_elected",
    "min_age",
    "max_age",
    "required_attribute",
    "required_assembly",
    "min_seniority_days",
    "umbrella",
)


def translated(written: Any, language: str, fields: tuple[str, ...]) -> tuple[dict[str, str], bool]:
    """`fields` of `written` (which has `language` and `translations`) in `language`: each
    from its translation where one is given, else as written; and whether any was given."""
    code = language[:2]
    given = (written.translations or {}).get(code, {}) if code != written.language else {}
    return {f: given.get(f) or getattr(written, f) for f in fields}, bool(given)


@dataclass(frozen=True)
class AssemblyTexts:
    title: str
    subtitle: str
    short_description: str
    description: str
    purpose_of_action: str
    composition: str
    internal_organisation: str
    remits: str
    translated: bool  # shown in the reader's language, translated from the original
    untranslated: bool  # the reader's language differs and no translation is given
    original: str  # the original language's name


class AssemblyQuerySet(models.QuerySet["Assembly"]):
    def open(self) -> AssemblyQuerySet:
        """Not closed (issue 13): where anything can still be done."""
        return self.filter(closed_at__isnull=True)

    def visible_to(self, user: object) -> AssemblyQuerySet:
        """Restricted assemblies exist only for their members and staff (ASM-1)."""
        if getattr(user, "is_staff", False):
            return self
        if not getattr(user, "is_authenticated", False):
            return self.exclude(access_mode=AccessMode.RESTRICTED)
        # A correlated EXISTS on the person's own active membership, not a join over every
        # membership row de-duplicated by DISTINCT: it reads one entry of the
        # one_active_membership index (assembly, user) per restricted assembly, so the cost
        # does not grow with the federation's size (issue 11).
        from .membership import Membership

        person: Any = user  # a User, or the request's lazy one
        own_membership = Membership.objects.filter(
            assembly_id=OuterRef("pk"), user=person, ended_at__isnull=True
        )
        return self.filter(~Q(access_mode=AccessMode.RESTRICTED) | Exists(own_membership))


class Assembly(models.Model):
    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    title = models.CharField(_("title"), max_length=200)
    subtitle = models.CharField(_("subtitle"), max_length=200, blank=True)
    short_description = models.TextField(_("short description"), blank=True)
    description = models.TextField(_("about this assembly"), blank=True)
    purpose_of_action = models.TextField(_("purpose of action"), blank=True)
    composition = models.TextField(_("composition"), blank=True)
    internal_organisation = models.TextField(_("internal organisation"), blank=True)
    remits = models.TextField(_("remits"), blank=True)
    assembly_type = models.CharField(_("type"), max_length=20, choices=AssemblyType.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent assembly"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    # The root of this assembly's tree, kept by the actions that nest assemblies, so that the
    # reference prefix and the federation are one join away instead of a walk up the tree.
    root = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        editable=False,
        on_delete=models.PROTECT,
        related_name="descendants",
    )
    umbrellas = models.ManyToManyField(
        "self",
        verbose_name=_("member of"),
        symmetrical=False,
        blank=True,
        through="UmbrellaMembership",
        through_fields=("member", "umbrella"),
        related_name="member_assemblies",
    )
    reference_prefix = models.CharField(
        _("reference prefix"),
        max_length=12,
        blank=True,
        help_text=_("Only for a federation (a root assembly); its descendants inherit it."),
    )
    # Issue 13: the language the texts above are written in, and their translations into
    # the site's other languages ({"es": {"title": …, "description": …}, …}); a page shows
    # the reader's language where given, else the original with a note.
    language = models.CharField(
        _("language of the texts"), max_length=8, choices=settings.LANGUAGES, default="en"
    )
    translations = models.JSONField(_("translations"), default=dict, blank=True)
    country = CountryField(
        _("country"),
        blank=True,
        help_text=_(
            "Only for a federation: dates on its pages follow this country's custom in the "
            "reader's language (a US federation reads Dec 4, 2026 in English)."
        ),
    )
    access_mode = models.CharField(
        _("access mode"), max_length=12, choices=AccessMode.choices, default=AccessMode.OPEN
    )
    join_policy = models.CharField(
        _("joining"),
        max_length=12,
        default=JoinPolicy.OPEN,
        choices=[
            (JoinPolicy.OPEN, _("Open: anyone eligible joins at once")),
            (JoinPolicy.APPROVAL, _("By approval of the secretary")),
            (JoinPolicy.AUTOMATIC, _("Automatic: everyone in the federation belongs")),
        ],
    )
    newcomer_status = models.CharField(
        _("status of newcomers"),
        max_length=12,
        default=Status.PARTICIPANT,
        choices=[(Status.PARTICIPANT, _("Participant")), (Status.MEMBER, _("Member"))],
        help_text=_(
            "For a federation: the status a person gets on joining. Below the root, people "
            "carry the status they hold in the federation."
        ),
    )
    secretary_elected = models.BooleanField(_("secretary elected"), default=False)
    min_age = models.PositiveSmallIntegerField(_("minimum age"), null=True, blank=True)
    max_age = models.PositiveSmallIntegerField(_("maximum age"), null=True, blank=True)
    required_attribute = models.CharField(
        _("required community attribute"),
        max_length=32,
        blank=True,
        choices=CommunityAttribute.choices,
    )
    required_assembly = models.ForeignKey(
        "self",
        verbose_name=_("requires membership of"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    min_seniority_days = models.PositiveIntegerField(
        _("minimum seniority (days)"), null=True, blank=True
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    # Issue 13: closing archives an assembly; nothing in it is deleted and nothing new is
    # done in it. A merged assembly is closed, pointing to the one it was merged into.
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True, editable=False)
    merged_into = models.ForeignKey(
        "self",
        verbose_name=_("merged into"),
        null=True,
        blank=True,
        editable=False,
        on_delete=models.PROTECT,
        related_name="merged",
    )

    objects = AssemblyQuerySet.as_manager()

    class Meta:
        ordering = ["title"]
        verbose_name = _("assembly")
        verbose_name_plural = _("assemblies")
        constraints = [
            models.CheckConstraint(
                condition=~Q(parent=models.F("id")), name="assembly_not_own_parent"
            ),
            models.CheckConstraint(
                condition=Q(min_age__isnull=True)
                | Q(max_age__isnull=True)
                | Q(min_age__lte=models.F("max_age")),
                name="assembly_age_range_ordered",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("assembly-detail", args=[self.slug])

    def texts_in(self, language: str) -> AssemblyTexts:
        """The ASM-1 texts in `language` where a translation gives them, else the original."""
        values, given = translated(self, language, TEXT_FIELDS)
        elsewhere = language[:2] != self.language
        return AssemblyTexts(
            **values,
            translated=given and elsewhere,
            untranslated=elsewhere and not given,
            original=self.get_language_display(),
        )

    @property
    def closed_on(self) -> date | None:
        return timezone.localtime(self.closed_at).date() if self.closed_at else None

    @property
    def is_root(self) -> bool:
        return self.parent_id is None

    @property
    def federation_id(self) -> int:
        return self.root_id or self.pk

    @property
    def membership_assembly_id(self) -> int:
        """The assembly whose memberships make people belong to this one: itself, or, for
        an automatic assembly ("all participants are members"), its federation (MEM-2)."""
        return self.federation_id if self.join_policy == JoinPolicy.AUTOMATIC else self.pk

    def reference_with(self, prefix: str) -> str:
        return format_reference(prefix, timezone.localtime(self.created_at).date(), self.pk)

    @property
    def reference(self) -> str:
        """`PREFIX-ASSE-YYYY-MM-ID` (ASM-1); needs `root` loaded for assemblies below one."""
        root = self.root
        prefix = self.reference_prefix if root is None else root.reference_prefix
        return self.reference_with(prefix)

    @property
    def eligibility_rules(self) -> EligibilityRules:
        return EligibilityRules(
            min_age=self.min_age,
            max_age=self.max_age,
            required_attribute=self.required_attribute or None,
            required_attribute_label=str(self.get_required_attribute_display())
            if self.required_attribute
            else "",
            required_assembly_id=self.required_assembly_id,
            required_assembly_title=self.required_assembly.title if self.required_assembly else "",
            min_seniority_days=self.min_seniority_days,
        )


class UmbrellaMembership(models.Model):
    """ASM-2: an assembly that is a member of another ("all IT-related assemblies are members
    of the Operational Working Group")."""

    member = models.ForeignKey(Assembly, on_delete=models.CASCADE, related_name="umbrella_links")
    umbrella = models.ForeignKey(Assembly, on_delete=models.CASCADE, related_name="member_links")
    since = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["member", "umbrella"], name="umbrella_once"),
            models.CheckConstraint(
                condition=~Q(member=models.F("umbrella")), name="umbrella_not_self"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.member} ∈ {self.umbrella}"
