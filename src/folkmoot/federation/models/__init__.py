"""The federation's tables, one module per subject; imported from here."""

from .assembly import (
    FOUNDING_FIELDS,
    TEXT_FIELDS,
    AccessMode,
    Assembly,
    AssemblyQuerySet,
    AssemblyTexts,
    AssemblyType,
    UmbrellaMembership,
    translated,
)
from .changes import FoundingRequest, ReshapeRequest
from .membership import (
    JoinRequest,
    JoinRequestQuerySet,
    Membership,
    MembershipQuerySet,
    MembershipTally,
)
from .pages import FederationPage
from .roll import Invitation, RollImport

__all__ = [
    "FOUNDING_FIELDS",
    "TEXT_FIELDS",
    "AccessMode",
    "Assembly",
    "AssemblyQuerySet",
    "AssemblyTexts",
    "AssemblyType",
    "FederationPage",
    "FoundingRequest",
    "Invitation",
    "JoinRequest",
    "JoinRequestQuerySet",
    "Membership",
    "MembershipQuerySet",
    "MembershipTally",
    "ReshapeRequest",
    "RollImport",
    "UmbrellaMembership",
    "translated",
]
