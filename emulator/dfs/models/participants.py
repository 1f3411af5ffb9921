"""Participants and their identities (ParticipantManagement). The link is kept on
the participant only; an identity's ParticipantIds come from the "identity" index,
so the two directions can never disagree."""

from __future__ import annotations

import dataclasses

from ..errors import Unprocessable
from .base import ModelBase, new_uuid
from .records import Participant, Tenant


class ParticipantRules(ModelBase):
    def _check_identities(self, tenant: Tenant, identity_ids) -> tuple[str, ...]:
        ids = tuple(dict.fromkeys(i.lower() for i in identity_ids or ()))
        for identity_id in ids:
            if self.access.get((identity_id, tenant.id)) is None:
                raise Unprocessable(f"Identity {identity_id} does not exist in tenant {tenant.key}")
        return ids

    def create_participant(
        self,
        tenant: Tenant,
        name: str | None,
        identity_ids,
        *,
        participant_id: int | None = None,
        uid: str | None = None,
        is_active: bool = True,
    ) -> Participant:
        if not name or not name.strip():
            raise Unprocessable("Name is required")
        ids = self._check_identities(tenant, identity_ids)
        if participant_id is None:
            participant_id = self.next_id("participant")
        else:
            self.bump_sequence("participant", participant_id)
        participant = Participant(
            id=participant_id,
            tenant_id=tenant.id,
            uid=(uid or new_uuid()).lower(),
            name=name,
            is_active=is_active,
            identity_ids=ids,
        )
        self.participants.put(participant.id, participant)
        return participant

    def update_participant(self, tenant: Tenant, participant_id: int, body: dict) -> None:
        participant = self.get_participant(tenant, participant_id)
        changes: dict = {}
        if body.get("name") is not None:
            if not body["name"].strip():
                raise Unprocessable("Name may not be empty")
            changes["name"] = body["name"]
        if "isActive" in body:
            changes["is_active"] = body["isActive"]
        if body.get("identityInternalUserIds") is not None:
            changes["identity_ids"] = self._check_identities(tenant, body["identityInternalUserIds"])
        if changes:
            self.participants.put(participant.id, dataclasses.replace(participant, **changes))
