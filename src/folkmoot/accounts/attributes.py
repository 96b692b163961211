"""Self-declared community attributes that eligibility rules may ask for (MEM-2).

A fixed, translated list: declaring is voluntary, never verified, and only used to let a
person into the communities' own assemblies (e.g. the Disability Activism Society).
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class CommunityAttribute(models.TextChoices):
    DISABLED = "disabled", _("Disabled person")
    LGBTQ = "lgbtq", _("LGBTQ+")
    CARER = "carer", _("Unpaid carer")
    ETHNIC_MINORITY = "ethnic-minority", _("Member of an ethnic minority")
    WORKER = "worker", _("Trade union member")
