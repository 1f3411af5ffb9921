"""What the DFS request path keeps between requests (issue 12) and why it never
answers differently for it: verified callers (auth.authenticate), rendered
identities (rendercache.RenderCache), correlation ids, canonical path ids."""

import re
import time

import pytest

from emulator.dfs.api import new_correlation_id
from emulator.dfs.auth import authenticate
from emulator.dfs.errors import BadRequest, Forbidden, Unauthorized
from emulator.dfs.params import path_value
from emulator.dfs.rendercache import RenderCache
from emulator.store.core import Collection
from emulator.world.state import STATE
from tests.dfs.test_auth_and_flow import signed
from tests.support.dfs import JOHN, KYLE, PETER, ROLE_ADVISOR


def dfs_world(emulator):
    world = emulator.app[STATE].world
    return world.models["dfs"], world.settings["dfs"], world


# -- verified callers ------------------------------------------------------------------------------


async def test_a_verified_caller_is_reused_while_its_records_are_unchanged(dfs, emulator):
    (await dfs.get(f"/v1.0/identities/{PETER}")).expect(200)
    model, settings, world = dfs_world(emulator)
    header = dfs.headers["Authorization"]
    cached = model.verified_callers[header].caller
    assert authenticate(header, model, settings, world.clock.timestamp()) is cached


async def test_a_cached_caller_is_refused_once_its_token_is_revoked(dfs, emulator):
    # The API revokes only tokens it mints revoked; the store write is what any revocation is.
    headers = signed({"tenant_id": 2, "jti": "used-then-revoked"})
    (await dfs.get("/v2.0/roles", headers=headers)).expect(200)
    model = dfs_world(emulator)[0]
    assert headers["Authorization"] in model.verified_callers
    with model.store.transaction():
        model.revoked_tokens.put("used-then-revoked", "used-then-revoked")
    reply = (await dfs.get("/v2.0/roles", headers=headers)).expect(401, "Unauthorized")
    assert reply.json["Message"] == "The Bearer token has been revoked"


async def test_a_cached_caller_is_refused_once_the_clock_passes_exp_or_is_set_before_nbf(dfs, emulator):
    now = int(time.time())
    headers = signed({"tenant_id": 2, "nbf": now - 30, "exp": now + 60})
    (await dfs.get("/v2.0/roles", headers=headers)).expect(200)
    assert headers["Authorization"] in dfs_world(emulator)[0].verified_callers
    await emulator.clock.advance(61)
    expired = (await dfs.get("/v2.0/roles", headers=headers)).expect(401, "Unauthorized")
    assert expired.json["Message"] == "The Bearer token is not valid: Signature has expired"
    await emulator.clock.advance(-120)
    early = (await dfs.get("/v2.0/roles", headers=headers)).expect(401, "Unauthorized")
    assert early.json["Message"] == "The Bearer token is not valid: The token is not yet valid (nbf)"
    await emulator.clock.advance(60)
    (await dfs.get("/v2.0/roles", headers=headers)).expect(200)


async def test_a_cached_caller_whose_identity_or_access_changed_is_checked_again(dfs, emulator):
    kyle = dfs.token(identity_id=KYLE)
    peter = dfs.token(identity_id=PETER)
    (await dfs.get("/v2.0/roles", headers=kyle)).expect(200)
    (await dfs.get("/v2.0/roles", headers=peter)).expect(200)
    (
        await dfs.patch(
            f"/v1.0/tenants/2/identities/{KYLE}/access",
            {"TenantId": 2, "IdentityRoleId": ROLE_ADVISOR, "IsEnabled": False},
        )
    ).expect(204)
    (await dfs.get("/v2.0/roles", headers=kyle)).expect(403, "Forbidden")
    (
        await dfs.patch(
            f"/v1.3/identities/{PETER}", {"UpdateProperties": ["isSignInEnabled"], "IsSignInEnabled": False}
        )
    ).expect(204)
    (await dfs.get("/v2.0/roles", headers=peter)).expect(403, "Forbidden")


async def test_refusals_are_not_cached(dfs, emulator):
    model, settings, world = dfs_world(emulator)
    for header, refusal in (
        ("Bearer not-a-jwt", Unauthorized),
        (dfs.token(kind="wrong_scope")["Authorization"], Forbidden),
    ):
        for _ in range(2):
            with pytest.raises(refusal):
                authenticate(header, model, settings, world.clock.timestamp())
        assert header not in model.verified_callers


# -- rendered identities -------------------------------------------------------------------------


def test_render_cache_reuses_bytes_for_the_same_records_and_renders_anew_on_a_change():
    cache, reads = RenderCache(), Collection("reads")
    first, second, renders = object(), object(), []

    def render(text: bytes):
        def run():
            renders.append(text)
            return text

        return run

    assert cache.get("k", (first,), (reads,), render(b"one")) == b"one"
    assert cache.get("k", (first,), (reads,), render(b"two")) == b"one"  # same record object: reused
    assert cache.get("k", (second,), (reads,), render(b"three")) == b"three"  # another record object
    reads.put(1, "written")
    assert cache.get("k", (second,), (reads,), render(b"four")) == b"four"  # a collection it reads was written
    assert renders == [b"one", b"three", b"four"]


def test_render_cache_holds_bounded_bytes():
    from emulator.dfs import rendercache

    cache, reads, renders = RenderCache(), Collection("reads"), []

    def render(size: int):
        def run():
            renders.append(size)
            return b"x" * size

        return run

    huge = rendercache.MAX_ANSWER_BYTES + 1
    cache.get("huge", (), (reads,), render(huge))
    cache.get("huge", (), (reads,), render(huge))
    assert renders == [huge, huge]  # never kept
    for number in range(3 * rendercache.MAX_BYTES // rendercache.MAX_ANSWER_BYTES):
        cache.get(number, (), (reads,), render(rendercache.MAX_ANSWER_BYTES))
        assert cache._bytes <= rendercache.MAX_BYTES
    assert cache._bytes == sum(len(entry[2]) for entry in cache._entries.values())


async def test_a_rendered_identity_follows_its_records_and_the_ones_it_looks_up(dfs):
    before = (await dfs.get(f"/v1.0/identities/{JOHN}")).expect(200).json
    assert before["MemberId"] is None and before["FirstName"] == "John"
    # The identity record is unchanged by a sync: the answer changes through the members collection.
    member_id = (await dfs.post(f"/v3.1/identities/{JOHN}/sync-member", {})).expect(200).json["MemberId"]
    assert (await dfs.get(f"/v1.0/identities/{JOHN}")).json["MemberId"] == member_id
    (await dfs.patch(f"/v1.3/identities/{JOHN}", {"FirstName": "Johnny"})).expect(204)
    assert (await dfs.get(f"/v1.0/identities/{JOHN}")).json["FirstName"] == "Johnny"


async def test_a_rendered_identity_is_per_tenant_access(dfs, emulator):
    first = (await dfs.get(f"/v1.0/identities/{KYLE}")).json
    (await dfs.patch(f"/v1.0/tenants/2/identities/{KYLE}/access", {"IsEnabled": False})).expect(204)
    second = (await dfs.get(f"/v1.0/identities/{KYLE}")).json
    assert first["IsTenantAccessEnabled"] is True and second["IsTenantAccessEnabled"] is False


# -- POSTs that only read ------------------------------------------------------------------------


async def test_posts_marked_reads_only_write_nothing(dfs, emulator):
    # They run without a store transaction around them (handlers.reads_only).
    from emulator.dfs.handlers import DfsHandlers

    marked = {name for name in dir(DfsHandlers) if getattr(getattr(DfsHandlers, name), "reads_only", False)}
    assert marked == {"check_required_access_policies", "search_identities", "search_members", "search_participants"}
    store = emulator.app[STATE].world.store
    before = store.writes()
    for path, body in (
        ("/v1.0/identities/search", {"FirstName": "s", "SortBy": "LastName"}),
        ("/v1.0/members/search", {"PageSize": 2}),
        ("/v1.0/participants/search", {}),
        (f"/v1.0/roles/{ROLE_ADVISOR}/required-access-policies/check", {"permissionsUids": []}),
    ):
        (await dfs.post(path, body)).expect(200)
    assert store.writes() == before


# -- body parsing with a reused decoder (safeparse) ----------------------------------------------


def test_the_reused_json_decoders_answer_as_json_loads_did():
    from emulator.formats.safeparse import JsonFloat, UnsafeDocument, load_json

    assert type(load_json(b'{"a": 1.0}', strict_integers=True)["a"]) is JsonFloat
    assert type(load_json(b'{"a": 1.0}')["a"]) is float
    for refused, problem in (
        ("\ufeff{}", "Unexpected UTF-8 BOM"),
        ('{"a": NaN}', "NaN is not a JSON number"),
        ('{"a": 1e999}', "outside the range"),
        ("{", "not valid JSON"),
    ):
        with pytest.raises(UnsafeDocument, match=problem):
            load_json(refused.encode())


# -- correlation ids and path ids ------------------------------------------------------------------


def test_correlation_ids_are_32_lower_case_hex_and_never_repeat():
    ids = [new_correlation_id() for _ in range(1000)]  # several refills of the spare ids
    assert all(re.fullmatch(r"[0-9a-f]{32}", value) for value in ids)
    assert len(set(ids)) == len(ids)


def test_identity_ids_in_paths_come_out_canonical_however_they_are_written():
    canonical = "02000000-0000-4000-8000-000000000005"
    assert path_value("identityId", canonical) is canonical
    assert path_value("identityId", canonical.upper().replace("-", "")) == canonical
    with pytest.raises(BadRequest):
        path_value("identityId", canonical[:-1] + "g")
