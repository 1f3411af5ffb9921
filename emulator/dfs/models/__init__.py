"""The DFS model: all state and rules, no HTTP."""

from __future__ import annotations

from .backoffice import BackOfficeRules
from .collections import dfs_collections
from .identities import IdentityRules
from .members import MemberRules
from .participants import ParticipantRules
from .policies import PolicyRules
from .roles import RoleRules
from .searches import SearchRules
from .settings import DfsSettings


class DfsModel(PolicyRules, BackOfficeRules, RoleRules, IdentityRules, MemberRules, ParticipantRules, SearchRules):
    """One world's DFS state; built per world on the world's store."""


__all__ = ["DfsModel", "DfsSettings", "dfs_collections"]
