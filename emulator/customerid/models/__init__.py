"""The CustomerID model: all state and rules, no HTTP. Every API version (1.0,
1.2, 2.0, 2.1) calls this one model; they differ only in routing and rendering."""

from __future__ import annotations

from .collections import customerid_collections
from .invitations import InvitationRules
from .locks import LockRules
from .mandates import MandateRules
from .organizations import OrganizationRules
from .roles import RoleRules
from .search import AttributeFilter
from .settings import CustomerIdSettings
from .users import UserChanges, UserRules


class CustomerIdModel(OrganizationRules, UserRules, RoleRules, MandateRules, InvitationRules, LockRules):
    """One world's CustomerID state; built per world on the world's store."""


__all__ = ["AttributeFilter", "CustomerIdModel", "CustomerIdSettings", "UserChanges", "customerid_collections"]
