"""CustomerID 2.1 users: GET104, GET105 (smoke of the test machinery first)."""

from tests.support.customerid import MAIJA, UNKNOWN_ID


async def test_get105_query_user_returns_the_user_entity(cid):
    reply = await cid.get(f"/users/{MAIJA}")
    assert reply.status == 200
    assert reply.tag == "User"
    assert reply.attribute("login") == "maija.virtanen"
    assert reply.root.get("inResponseTo") == f"/2.1/users/{MAIJA}"


async def test_get105_unknown_user_is_entity_not_found(cid):
    (await cid.get(f"/users/{UNKNOWN_ID}")).expect_error(404, 7)
