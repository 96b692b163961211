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


class MembershipQuerySet(models.QuerySet["Membership"]):
    def active(self) -> MembershipQuerySet:
        return self.filter(ended_at__isnull=True)


class Membership(models.Model):
    """A person's belonging to an assembly, from `started_at` (MEM-3). Leaving ends it; the
    row stays, so seniority and history remain measurable."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    assembly = models.ForeignKey(Assembly, on_delete=models.CASCADE, related_name="memberships")
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=[(Status.PARTICIPANT, _("Participant")), (Status.MEMBER, _("Member"))],
    )
    started_at = models.DateTimeField(_("since"), default=timezone.now)
    ended_at = models.DateTimeField(_("until"), null=True, blank=True)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        ordering = ["-started_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["assembly", "user"],
                condition=Q(ended_at__isnull=True),
                name="one_active_membership",
            ),
        ]
        indexes = [
            models.Index(
                fields=["assembly", "status"],
                condition=Q(ended_at__isnull=True),
                name="active_members",
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} @ {self.assembly} ({self.status})"

    @property
    def started_on(self) -> date:
        return timezone.localtime(self.started_at).date()


class JoinRequestQuerySet(models.QuerySet["JoinRequest"]):
    def pending(self) -> JoinRequestQuerySet:
        return self.filter(decided_at__isnull=True)


class MembershipTally(models.Model):
    """How many active members and participants an assembly has, kept by database triggers
    on `Membership` (folkmoot.tallies, migration 0002_membership_tally): the assembly page
    and the tree read a sum over a few rows, not a count over every membership. Read it with
    `federation.selectors.membership_counts`."""

    assembly = models.ForeignKey(
        Assembly, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    shard = models.PositiveSmallIntegerField()
    members = models.IntegerField(db_default=0)
    participants = models.IntegerField(db_default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["assembly", "shard"], name="membership_tally_shard")
        ]

    def __str__(self) -> str:
        return f"assembly {self.assembly_id} shard {self.shard}: {self.members}+{self.participants}"


class JoinRequest(models.Model):
    """MEM-2: a request to join an assembly whose secretary approves newcomers."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="join_requests"
    )
    assembly = models.ForeignKey(Assembly, on_delete=models.CASCADE, related_name="join_requests")
    message = models.TextField(_("message to the secretary"), blank=True, max_length=2000)
    created_at = models.DateTimeField(default=timezone.now)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    approved = models.BooleanField(null=True)
    note = models.TextField(_("note to the applicant"), blank=True, max_length=2000)

    objects = JoinRequestQuerySet.as_manager()

    class Meta:
        ordering = ["created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["assembly", "user"],
                condition=Q(decided_at__isnull=True),
                name="one_pending_request",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} → {self.assembly}"


class FoundingRequest(models.Model):
    """ASM-2, issue 13: a proposal to found a new assembly below `parent`, approved or
    declined by the office the parent's protocol names (`governance.founding`). What is
    proposed is kept as the form gave it (`proposal`), so nothing exists until approval, and
    the request stays as the record of who proposed what and who decided."""

    parent = models.ForeignKey(Assembly, on_delete=models.PROTECT, related_name="founding_requests")
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    proposal = models.JSONField()  # the assembly's fields, as `founding.FIELDS` lists them
    created_at = models.DateTimeField(default=timezone.now)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    approved = models.BooleanField(null=True)
    reason = models.TextField(_("reason"), blank=True, max_length=2000)
    assembly = models.OneToOneField(
        Assembly, null=True, blank=True, on_delete=models.SET_NULL, related_name="founded_by"
    )

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.proposal.get('title', '?')} ⊂ {self.parent}"

    @property
    def title(self) -> str:
        return str(self.proposal.get("title", ""))


class RollImport(models.Model):
    """MEM-1, issue 13: a paying-member roll a general secretary uploaded. Checked and
    previewed first (nothing changes); once confirmed, a background task applies it in
    batches, counting its progress, and keeps what it changed as the record."""

    class State(models.TextChoices):
        PREVIEWED = "previewed", _("Waiting for confirmation")
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    federation = models.ForeignKey(Assembly, on_delete=models.PROTECT, related_name="roll_imports")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    filename = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    state = models.CharField(max_length=12, choices=State.choices, default=State.PREVIEWED)
    rows = models.JSONField(default=list)  # the valid rows: [email, name, since, birth, attrs]
    problems = models.JSONField(default=list)  # [line, reason] for each bad row
    preview = models.JSONField(default=dict)  # counts and examples, when checked
    total = models.PositiveIntegerField(default=0)
    done = models.PositiveIntegerField(default=0)
    summary = models.JSONField(default=dict)  # what it changed, when applied
    confirmed_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.filename or 'roll'} → {self.federation}"

    @property
    def percent(self) -> int:
        return 100 if not self.total else min(100, self.done * 100 // self.total)


class Invitation(models.Model):
    """Someone on a roll who has no account yet (issue 13): invited by email; when they sign
    up and confirm that address, they join the federation as a member from `member_since`."""

    federation = models.ForeignKey(Assembly, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField()
    name = models.CharField(max_length=80)
    member_since = models.DateField()
    birth_date = models.DateField(null=True, blank=True)
    attributes = models.JSONField(default=list, blank=True)
    roll = models.ForeignKey(RollImport, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    accepted_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["federation", "email"],
                condition=Q(accepted_at__isnull=True, cancelled_at__isnull=True),
                name="one_open_invitation",
            )
        ]

    def __str__(self) -> str:
        return f"{self.email} → {self.federation}"


class FederationPage(models.Model):
    """A federation's own pages (issue 13): "What is Harmony Party UK?", its privacy notice
    and terms, in its language and translated into the others; written by its secretaries.
    `privacy` and `terms` are linked from the footer and the sign-up form."""

    SPECIAL = ("privacy", "terms")

    federation = models.ForeignKey(Assembly, on_delete=models.CASCADE, related_name="pages")
    slug = models.SlugField(_("address"), max_length=60)
    language = models.CharField(
        _("language of the texts"), max_length=8, choices=settings.LANGUAGES, default="en"
    )
    title = models.CharField(_("title"), max_length=200)
    summary = models.TextField(_("summary (shown before “Read more”)"), blank=True, max_length=2000)
    body = models.TextField(_("text (Markdown)"), blank=True, max_length=50_000)
    translations = models.JSONField(_("translations"), default=dict, blank=True)
    updated_at = models.DateTimeField(default=timezone.now)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["title"]
        constraints = [
            models.UniqueConstraint(fields=["federation", "slug"], name="one_page_per_slug")
        ]

    def __str__(self) -> str:
        return f"{self.federation}: {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("federation-page", args=[self.federation.slug, self.slug])

    def in_language(self, language: str) -> dict[str, Any]:
        """title, summary, body in `language` where translated, else the original, and
        whether the reader gets the original in another language."""
        values, given = translated(self, language, ("title", "summary", "body"))
        return {
            **values,
            "untranslated": language[:2] != self.language and not given,
            "original": self.get_language_display(),
        }
