import hashlib
import secrets

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .attributes import CommunityAttribute


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **extra: object) -> "User":
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **extra: object) -> "User":
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self.create_user(email, password, **extra)


def new_public_id() -> str:
    """A person's public id (issue 13): what the API names them by and takes to choose them.
    Random, so it tells nothing of when they signed up or how many people there are."""
    return secrets.token_urlsafe(9)  # 12 characters


# How an erased account is named wherever what it did stays (issue 13).
FORMER_MEMBER = _("a former member")


class User(AbstractBaseUser, PermissionsMixin):
    """A person on the site. Email is the identity (allauth); the display name is public."""

    public_id = models.CharField(max_length=16, unique=True, default=new_public_id, editable=False)
    email = models.EmailField(_("email address"), unique=True)
    display_name = models.CharField(_("display name"), max_length=80)
    language = models.CharField(
        _("language"),
        max_length=8,
        choices=settings.LANGUAGES,
        blank=True,
        help_text=_("Leave empty to follow your browser."),
    )
    birth_date = models.DateField(
        _("birth date"),
        null=True,
        blank=True,
        help_text=_("Optional. Only used to check age rules such as the Youth Assembly's 18–30."),
    )
    attributes = models.JSONField(
        _("community attributes"),
        default=list,
        blank=True,
        help_text=_("Optional and self-declared; some assemblies are for these communities."),
    )
    # UK GDPR (issue 13): community attributes are special-category data; they are kept only
    # with explicit consent, and when it was given.
    attributes_consented_at = models.DateTimeField(null=True, blank=True)
    is_staff = models.BooleanField(_("staff status"), default=False)
    is_active = models.BooleanField(_("active"), default=True)
    date_joined = models.DateTimeField(_("date joined"), default=timezone.now)
    # The account was deleted (accounts.erasure): the row stays so that what the person wrote
    # and did stays in place, shown as "a former member", with nothing left that names them.
    erased_at = models.DateTimeField(null=True, blank=True)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["display_name"]

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("people")

    def __str__(self) -> str:
        if self.erased_at is not None:
            return str(FORMER_MEMBER)
        return self.display_name or self.email

    def get_short_name(self) -> str:
        return str(self)

    def get_full_name(self) -> str:
        return str(self)

    @property
    def attribute_set(self) -> frozenset[str]:
        """The attributes the person declared with their consent (issue 13): without it,
        none counts, wherever they came from."""
        if self.attributes_consented_at is None:
            return frozenset()
        valid = set(CommunityAttribute.values)
        return frozenset(a for a in self.attributes or () if a in valid)


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


class ApiTokenQuerySet(models.QuerySet["ApiToken"]):
    def active(self) -> "ApiTokenQuerySet":
        return self.filter(revoked_at__isnull=True)

    def revoked(self) -> "ApiTokenQuerySet":
        return self.filter(revoked_at__isnull=False).order_by("-revoked_at")


class RevokedBecause(models.TextChoices):
    HAND = "hand", _("revoked by you")
    PASSWORD = "password", _("revoked when your password was changed or reset")


class ApiToken(models.Model):
    """A bearer token for /api/v1/. Only its hash is stored; the raw value is shown once."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(_("name"), max_length=80)
    key_hash = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(max_length=8)
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    # Why it stopped working, for the tokens page: by hand, or with a password change (issue 10).
    revoked_because = models.CharField(
        max_length=20, choices=RevokedBecause.choices, default=RevokedBecause.HAND, blank=True
    )

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @staticmethod
    def generate() -> str:
        return "fm_" + secrets.token_urlsafe(32)
