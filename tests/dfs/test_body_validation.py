"""DFS request bodies are checked by a compiled validator first (fastjsonschema) and
by jsonschema only when it refuses; the two must agree on every body, or a bad body
could slip through the fast path. This checks them against each other on bodies made
from every request schema: each property set to a value of every JSON type."""

import pytest

from emulator.dfs.params import BodyBinder

BINDER = BodyBinder()
VALUES = [
    "text",
    5,
    1.5,
    True,
    None,
    [],
    [1],
    ["a"],
    {},
    {"x": 1},
    "4ffd1a62-2c9e-4c2d-b495-18d00141498e",
    "4ffd1a622c9e4c2db49518d00141498e",  # no hyphens: not a Guid System.Text.Json reads
    -1,
    2**31,
    "Ascending",
    "FirstName",
]


def resolved(schema: dict) -> dict:
    while "$ref" in schema:
        schema = BINDER.definitions[schema["$ref"].rsplit("/", 1)[1]]
    return schema


def bodies(name: str):
    yield from ({}, [], "text", 5, None)
    properties = resolved(BINDER.definitions[name]).get("properties", {})
    for property_name in properties:
        for value in VALUES:
            yield {property_name: value}


@pytest.mark.parametrize("name", sorted(BINDER.definitions))
def test_fast_and_full_validators_agree(name):
    fast, full = BINDER.fast_check(name), BINDER.validator(name)
    for body in bodies(name):
        try:
            fast(body)
            fast_ok = True
        except Exception:
            fast_ok = False
        # The fast path may refuse more (jsonschema then decides), never accept more.
        assert not (fast_ok and not full.is_valid(body)), (name, body)
