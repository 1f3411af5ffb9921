"""CustomerID configuration a scenario may set (the emulator's eidm2.properties)."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..sso.settings import SsoSettings


@dataclass(frozen=True)
class CustomerIdSettings:
    # rest.username / rest.password; several accounts may be configured
    credentials: tuple[tuple[str, str], ...] = (("restuser", "secret"),)
    # data.user.fields & co.: custom user attributes that updates may set
    user_attributes: frozenset[str] = frozenset()
    # data.organization.fields: custom organization attributes
    organization_attributes: frozenset[str] = frozenset()
    # organization type -> roles created with every organization of that type
    organization_types: dict[str, tuple[str, ...]] = field(
        default_factory=lambda: {
            "eidm": ("eIDMMainUser",),
            "default": ("OrganizationMainUser",),
            "virtual": ("OrganizationMainUser",),
        }
    )
    default_organization_type: str = "default"  # organization.type.default
    default_virtual_organization_type: str = "virtual"  # organization.type.defaultvirtual
    roles_recursion: bool = True  # rest.roles.recursion
    # rest.passwordauthentication.enabled: false leaves OAuth2 Bearer tokens only
    password_authentication: bool = True
    # a system lock (too many failed logins) lifts after this long on the world's clock
    lock_duration_seconds: int = 1800
    max_failed_logins: int = 5  # wrong passwords in a row (SSO password grant) that lock an account
    sso: SsoSettings = field(default_factory=SsoSettings)  # the SSO beside CustomerID (OAuth2)
