"""What a provider state's setup answers, for the pact's ``fromProviderState`` expressions:
the ids of what the state created and fresh credentials for the namespace, so no pact
has to carry a token that expires (docs/pact.md)."""

from __future__ import annotations

import base64
import re
from typing import Any

# the params that choose a token rather than describe data
TOKEN_OPTIONS = ("username", "clientId", "tenantUid", "identityId", "scope")
PLACEHOLDER = re.compile(r"\$\{([^}]+)\}")


class StateError(Exception):
    """A provider state that cannot be set up: answered 400 (or 404) with the message."""

    def __init__(self, message: str, status: int = 400, **extra: Any) -> None:
        super().__init__(message)
        self.status, self.extra = status, extra


def bearer_token(world, api_name: str, options: dict, base_url: str) -> str:
    """A fresh valid Bearer token of ``api_name`` (customerid: SSO; dfs: its identity server)."""
    api = world.apis.get(api_name)
    if api is None or not hasattr(api, "bearer_token"):
        raise StateError(f"no API {api_name!r} mints Bearer tokens; one of {', '.join(token_apis(world))}")
    try:
        return api.bearer_token(world, {name: options[name] for name in TOKEN_OPTIONS if name in options}, base_url)
    except LookupError as error:  # no such tenant, identity, user or client
        raise StateError(str(error).strip("'\""), 404) from None
    except ValueError as error:  # a scope the client may not have
        raise StateError(str(error), 400) from None


def token_apis(world) -> list[str]:
    return [name for name, api in world.apis.items() if hasattr(api, "bearer_token")]


def basic_credentials(world) -> str | None:
    """``Basic ...`` for the scenario's first CustomerID service account, if it has one."""
    settings = world.settings.get("customerid")
    accounts = getattr(settings, "credentials", None) or ()
    if not accounts:
        return None
    user, password = accounts[0]
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode("ascii")


def credential_values(world, params: dict, base_url: str) -> dict[str, str]:
    """What every setup answers besides its own ids: ``customeridToken``, ``dfsToken``
    (each where the world can mint it; the params choose tenant, identity, user, client,
    scope; with ``api`` they concern that API's token only),
    and ``customeridBasic`` (an ``Authorization`` value for HTTP Basic)."""
    values: dict[str, str] = {}
    for api_name in token_apis(world):
        try:
            values[f"{api_name}Token"] = bearer_token(world, api_name, params, base_url)
        except StateError:
            asked = any(name in params for name in TOKEN_OPTIONS) and params.get("api", api_name) == api_name
            if asked:
                raise  # asked for a token that cannot be had: say so (another API's is left out)
    basic = basic_credentials(world)
    if basic:
        values["customeridBasic"] = basic
    return values


def fill(template: Any, lookup) -> Any:
    """``template`` with every ``${name}`` replaced by ``lookup(name)``; a string that is
    exactly one placeholder takes the value's own type (an integer id stays an integer).
    ``${key}`` (the setup's fresh scenario key) may stand inside another placeholder."""
    if isinstance(template, dict):
        return {fill(key, lookup): fill(value, lookup) for key, value in template.items()}
    if isinstance(template, list):
        return [fill(item, lookup) for item in template]
    if isinstance(template, str):
        if "${key}" in template and template != "${key}":  # ${id:user:${key}}: the fresh key first
            template = template.replace("${key}", str(lookup("key")))
        whole = PLACEHOLDER.fullmatch(template)
        if whole:
            return lookup(whole.group(1))
        return PLACEHOLDER.sub(lambda match: str(lookup(match.group(1))), template)
    return template


def scenario_id(world, kind: str, key: str) -> str:
    """The id a scenario key was given (``${id:user:maija}``)."""
    found = world.keys.get((kind, key))
    if found is None:
        known = sorted(name for known_kind, name in world.keys if known_kind == kind)[:20]
        raise StateError(f"no {kind} with scenario key {key!r}" + (f" (known: {', '.join(known)})" if known else ""))
    return found
