"""Ready-to-paste curl lines for a running emulator (``--print-curl``, used by
``make run``): CustomerID with the scenario's Basic credentials, DFS with a
Bearer token freshly minted for the scenario's default tenant and identity."""

from __future__ import annotations

import shlex

from .state import EmulatorState


def client_base_url(host: str, port: int) -> str:
    """The URL a client on this machine uses for a server bound to ``host``."""
    if host in ("", "0.0.0.0"):
        host = "127.0.0.1"
    elif host == "::":
        host = "::1"
    if ":" in host and not host.startswith("["):
        host = f"[{host}]"
    return f"http://{host}:{port}"


def curl_examples(state: EmulatorState, url: str) -> list[str]:
    """Comment lines and curl lines; every curl line answers 2xx on the scenario
    the emulator was started with (tests/test_local_dev.py runs them)."""
    lines: list[str] = []
    cid = state.apis.get("customerid")
    world = state.world
    if cid is not None:
        settings = world.settings["customerid"]
        user, password = settings.credentials[0]
        auth = shlex.quote(f"{user}:{password}")
        base = url + cid.endpoints.base_paths["2.1"]
        store = world.store
        kind = "customerid.users"
        users = sorted(str(user_id) for user_id in store[kind].ids()) if kind in store else []
        lines.append("# CustomerID 2.1 (HTTP Basic from the scenario)")
        lines.append(f'curl -s -u {auth} "{base}/users?status=Enabled"')
        if users:
            lines.append(f'curl -s -u {auth} -H "Accept: application/json" "{base}/users/{users[0]}"')
    dfs = state.apis.get("dfs")
    if dfs is not None:
        from .dfs.auth import mint

        settings = world.settings["dfs"]
        model = world.models["dfs"]
        tenant = model.tenants.get(settings.default_tenant_id) if settings.default_tenant_id is not None else None
        if tenant is not None:
            identity = settings.default_identity_id
            token = mint(settings, tenant, identity, None)
            hours = settings.token_lifetime_seconds / 3600
            lines.append(f"# DFS Admin Services (Bearer token for tenant {tenant.key}, valid {hours:g} h; "
                         f"a new one: curl -s -X POST {url}/__emulator/dfs/token)")
            lines.append(f"export DFS_TOKEN={token}")
            base = url + dfs.endpoints.base_paths["1.0"]
            if identity:
                lines.append(f'curl -s -H "Authorization: Bearer $DFS_TOKEN" "{base}/identities/{identity}"')
            lines.append(f'curl -s -H "Authorization: Bearer $DFS_TOKEN" "{base}/access-policies"')
    lines.append("# Control API")
    lines.append(f"curl -s {url}/__emulator/health")
    return lines

