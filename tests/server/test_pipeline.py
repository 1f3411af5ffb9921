"""What the request path remembers between requests (docs/performance.md,
"What the request path remembers"), and that remembering never changes an answer: the dispatcher's
route per (method, path), and the whole XML document of a rendered entity."""

import re
import uuid

import aiohttp

from emulator.server import pipeline as app_module
from emulator.store.ids import random_uuid
from tests.support.customerid import ACME, MAIJA


async def test_a_remembered_path_still_answers_each_method_by_its_own_operation(emulator, cid):
    # GET105, then PATCH124 and DEL102 on the same path: each method has its own route
    assert (await cid.get(f"/users/{MAIJA}")).attribute("firstname") == "Maija"
    patched = await cid.patch(f"/users/{MAIJA}", data={"firstname": "Example"})
    assert (patched.status, patched.root.get("method")) == (200, "PATCH")
    assert (await cid.get(f"/users/{MAIJA}")).attribute("firstname") == "Example"
    # a method the path does not serve is still 405 with Allow, asked once or twice
    for _ in range(2):
        refused = await cid.post(f"/users/{MAIJA}")
        assert refused.status == 405
        assert "GET" in refused.headers["Allow"]
    assert (await cid.delete(f"/users/{MAIJA}")).status == 200
    (await cid.get(f"/users/{MAIJA}")).expect_error(404, 7)  # remembered route, record gone


async def test_paths_beyond_what_is_remembered_still_answer(emulator, cid, monkeypatch):
    monkeypatch.setattr(app_module, "ROUTE_CACHE_SIZE", 2)  # read per request: the cache empties often
    ids = [
        (await cid.get(f"/users/{MAIJA}")).attribute("id"),
        (await cid.get(f"/organizations/{ACME}")).root.tag,
        (await cid.get(f"/users/{MAIJA}/roles")).status,
        (await cid.get(f"/users/{MAIJA}")).attribute("id"),
    ]
    assert ids == [MAIJA, "{http://schema.ubisecure.com/customerid/api}Organization", 200, MAIJA]


async def test_the_same_user_at_two_versions_keeps_each_versions_in_response_to(emulator):
    """GET105 on 2.0 and 2.1 serve one rendered entity; each answer names its own path."""
    async with emulator.session() as session:
        for version in ("2.0", "2.1", "2.0"):
            async with session.get(f"{emulator.customerid_url(version)}/users/{MAIJA}") as response:
                body = await response.text()
                assert response.status == 200
                assert f'inResponseTo="/{version}/users/{MAIJA}"' in body
        async with session.head(f"{emulator.customerid_url('2.1')}/users/{MAIJA}") as response:
            assert response.status == 200


async def test_a_changed_user_is_answered_anew_after_being_asked_before(emulator, cid):
    before = (await cid.get(f"/users/{MAIJA}")).body
    assert before == (await cid.get(f"/users/{MAIJA}")).body
    await cid.patch(f"/users/{MAIJA}", data={"mobile": "+358400000000"})
    after = await cid.get(f"/users/{MAIJA}")
    assert after.attribute("mobile") == "+358400000000"
    async with aiohttp.ClientSession() as http:
        async with http.post(emulator.url + "/__emulator/reset") as response:
            assert response.status == 200
    assert (await cid.get(f"/users/{MAIJA}")).body == before


def test_random_uuid_is_version_4_text_with_the_rfc_4122_variant():
    ids = {random_uuid() for _ in range(2000)}
    assert len(ids) == 2000
    for text in ids:
        assert re.fullmatch(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}", text), text
        parsed = uuid.UUID(text)
        assert (parsed.version, parsed.variant, str(parsed)) == (4, uuid.RFC_4122, text)
