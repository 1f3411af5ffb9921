"""Back-office menu items, functionality, role and identity permissions, provider settings."""

from __future__ import annotations

import dataclasses

from ..errors import NotFound, Unprocessable
from .base import ModelBase
from .records import BackOffice, ProviderSetting, Tenant


class BackOfficeRules(ModelBase):
    def provider_setting(self, provider_id: int) -> ProviderSetting:
        ids = self.provider_settings.lookup("provider", provider_id)
        if not ids:
            raise NotFound(f"No identity provider setting for provider {provider_id}")
        return self.provider_settings[min(ids)]

    def default_provider_setting(self) -> ProviderSetting | None:
        settings = sorted(self.provider_settings, key=lambda s: (not s.is_default, s.id))
        return settings[0] if settings else None

    def catalog(self):
        menu = sorted(self.menu_items, key=lambda m: m.id)
        groups = sorted(self.functionality_groups, key=lambda g: g.id)
        return menu, groups

    def checked_back_office(self, default_menu_item_id, menu_item_ids, functionality_ids) -> BackOffice:
        """A full replacement set (null lists mean empty), every id in the catalog."""
        menus = tuple(dict.fromkeys(menu_item_ids or ()))
        functionalities = tuple(dict.fromkeys(functionality_ids or ()))
        unknown = [i for i in menus if i not in self.menu_items]
        if unknown:
            raise Unprocessable(f"Unknown menu item id(s): {', '.join(map(str, unknown))}")
        unknown = [i for i in functionalities if not self.functionality_groups.lookup("functionality", i)]
        if unknown:
            raise Unprocessable(f"Unknown functionality id(s): {', '.join(map(str, unknown))}")
        if default_menu_item_id is not None:
            if default_menu_item_id not in self.menu_items:
                raise Unprocessable(f"Unknown default menu item id {default_menu_item_id}")
            if default_menu_item_id not in menus:
                raise Unprocessable("DefaultMenuItemId must be one of MenuItemIds")
        return BackOffice(default_menu_item_id, menus, functionalities)

    def role_back_office(self, tenant: Tenant, role_id: int) -> BackOffice:
        return self.get_role(tenant, role_id).back_office

    def set_role_back_office(self, tenant: Tenant, role_id: int, back_office: BackOffice) -> None:
        role = self.get_role(tenant, role_id)
        self.roles.put(role.id, dataclasses.replace(role, back_office=back_office))

    def identity_back_office(self, tenant: Tenant, identity_id: str) -> BackOffice:
        """The identity's own set overrides its role's."""
        identity, access = self.get_tenant_identity(tenant, identity_id)
        if identity.back_office is not None:
            return identity.back_office
        return self.roles[access.role_id].back_office  # a role is not deleted while held (delete_role)

    def set_identity_back_office(self, tenant: Tenant, identity_id: str, back_office: BackOffice) -> None:
        identity, _ = self.get_tenant_identity(tenant, identity_id)
        self.identities.put(identity.id, dataclasses.replace(identity, back_office=back_office))
