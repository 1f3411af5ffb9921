"""The DFS collections and the indexes their queries use (no scans of the store:
every lookup starts from an index keyed by tenant, identity, role or text)."""

from __future__ import annotations

from ...store.core import Collection, IndexSpec
from .records import Identity, Member

# Text a search term matches by prefix (case-insensitive): the whole value and
# each word of it, so "connor" finds "Sarah Connor" by FullName.
IDENTITY_TEXT = {
    "FirstName": lambda i: (i.first_name,),
    "LastName": lambda i: (i.last_name,),
    "UserName": lambda i: (i.username,),
    "Email": lambda i: (i.email,),
    "FullName": lambda i: (" ".join(part for part in (i.first_name, i.last_name) if part),),
}
MEMBER_TEXT = {
    "FirstName": lambda m: (m.first_name,),
    "LastName": lambda m: (m.last_name,),
    "Email": lambda m: (m.email,),
    "FullName": lambda m: (" ".join(part for part in (m.first_name, m.last_name) if part),),
}


def fold(value: str) -> str:
    """Already folded: the same object (index keys share the record's string)."""
    folded = value.casefold()
    return value if folded == value else folded


def text_keys(value: str | None) -> set[str]:
    if not value:
        return set()
    folded = fold(value)
    return {folded, *folded.split()}


def _identity_text_keys(identity: Identity):
    return [
        (scope, key) for scope, read in IDENTITY_TEXT.items() for value in read(identity) for key in text_keys(value)
    ]


def _member_text_keys(member: Member):
    return [
        ((member.tenant_id, scope), key)
        for scope, read in MEMBER_TEXT.items()
        for value in read(member)
        for key in text_keys(value)
    ]


SIGNING_KEYS = "dfs.signing_keys"  # POST /__emulator/dfs/keys/rotate


def dfs_collections() -> list[Collection]:
    return [
        Collection(
            "dfs.tenants",
            [
                IndexSpec("uid", lambda t: (t.uid.lower(),)),
                IndexSpec("key", lambda t: (fold(t.key),)),
            ],
        ),
        Collection(
            "dfs.identities",
            [
                IndexSpec("username", lambda i: (fold(i.username),), fields=("username",)),
                IndexSpec(
                    "text", _identity_text_keys, ordered=True, fields=("first_name", "last_name", "username", "email")
                ),
                IndexSpec(
                    "provider",
                    lambda i: (i.provider_setting_id,) if i.provider_setting_id else (),
                    fields=("provider_setting_id",),
                ),
            ],
        ),
        Collection(
            "dfs.access",
            [
                IndexSpec("tenant", lambda a: (a.tenant_id,), fields=("tenant_id",)),
                IndexSpec("identity", lambda a: (a.identity_id,), fields=("identity_id",)),
                IndexSpec("role", lambda a: (a.role_id,), fields=("role_id",)),
            ],
        ),
        Collection(
            "dfs.members",
            [
                IndexSpec("tenant", lambda m: (m.tenant_id,), fields=("tenant_id",)),
                IndexSpec(
                    "identity",
                    lambda m: ((m.tenant_id, m.identity_id),) if m.identity_id else (),
                    fields=("tenant_id", "identity_id"),
                ),
                IndexSpec(
                    "contact",
                    lambda m: tuple((m.tenant_id, c) for c in m.contact_ids),
                    fields=("tenant_id", "contact_ids"),
                ),
                IndexSpec(
                    "text", _member_text_keys, ordered=True, fields=("tenant_id", "first_name", "last_name", "email")
                ),
            ],
        ),
        Collection(
            "dfs.roles",
            [
                IndexSpec("tenant", lambda r: (r.tenant_id,), fields=("tenant_id",)),
                IndexSpec(
                    "key",
                    lambda r: ((r.tenant_id, fold(r.role_key)),) if r.role_key else (),
                    fields=("tenant_id", "role_key"),
                ),
            ],
        ),
        Collection(
            "dfs.participants",
            [
                IndexSpec("tenant", lambda p: (p.tenant_id,), fields=("tenant_id",)),
                IndexSpec("identity", lambda p: p.identity_ids, fields=("identity_ids",)),
                IndexSpec(
                    "name",
                    lambda p: [(p.tenant_id, key) for key in text_keys(p.name)],
                    ordered=True,
                    fields=("tenant_id", "name"),
                ),
            ],
        ),
        Collection("dfs.access_policies", [IndexSpec("key", lambda p: (fold(p.key),))]),
        Collection(
            "dfs.permissions",
            [
                IndexSpec("uid", lambda p: (p.uid.lower(),)),
                IndexSpec("policy", lambda p: p.required_access_policy_ids),
            ],
        ),
        Collection(
            "dfs.client_apps",
            [
                IndexSpec("resource_scope", lambda a: tuple((a.tenant_id, fold(r), fold(s)) for r, s in a.resources)),
            ],
        ),
        Collection("dfs.menu_items"),
        Collection(
            "dfs.functionality_groups",
            [
                IndexSpec("functionality", lambda g: tuple(f for f, _ in g.functionalities)),
            ],
        ),
        Collection("dfs.provider_settings", [IndexSpec("provider", lambda s: (s.provider_id,))]),
        Collection("dfs.bank_branches"),
        Collection("dfs.audit_contexts"),
        Collection("dfs.sequences"),
        Collection("dfs.revoked_tokens"),  # jti -> jti: tokens revoked before they expire
        Collection(SIGNING_KEYS),  # rotated signing keys (auth/signing.py KeyRing): per namespace
        Collection("dfs.long_running"),
    ]
