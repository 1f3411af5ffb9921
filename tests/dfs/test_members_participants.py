"""DFS MemberManagement, IdentityMemberSync, IdentityMemberImport and ParticipantManagement."""

import asyncio

import aiohttp

from tests.support.dfs import ADMIN, HANK, JOHN, MILES, PETER, ROLE_ADVISOR, SARAH, TARISSA, UNKNOWN


async def wait_until_complete(emulator, request_id: str) -> dict:
    async with aiohttp.ClientSession() as http:
        for _ in range(100):
            async with http.get(f"{emulator.url}/__emulator/dfs/long-running/{request_id}") as response:
                status = await response.json()
            if status["status"] == "Completed":
                return status
            await asyncio.sleep(0.02)
    raise AssertionError(f"long-running request {request_id} did not complete")


async def test_get_member(dfs):
    reply = (await dfs.get("/v1.0/members/1")).expect(200)
    assert reply.json["IdentityId"] == ADMIN and reply.json["AssignedContactsCount"] == 2
    assert reply.json["HasProfilePicture"] is False


async def test_get_member_unknown_or_other_tenant_is_404(dfs):
    (await dfs.get("/v1.0/members/999")).expect(404)
    (await dfs.get("/v1.0/members/100")).expect(404)  # Globex's member


async def test_search_members_sample(dfs):
    reply = (
        await dfs.post(
            "/v1.0/members/search",
            {
                "MemberIds": [],
                "SearchTerm": "adm",
                "SortBy": "LastName",
                "SortOrder": "Descending",
                "Page": 1,
                "PageSize": 10,
            },
        )
    ).expect(200)
    assert [m["MemberId"] for m in reply.json["Results"]] == [1]
    dysons = (
        await dfs.post("/v1.0/members/search", {"SearchTerm": "dyson", "SortBy": "MemberId", "SortOrder": "Descending"})
    ).json
    assert [m["MemberId"] for m in dysons["Results"]] == [12, 6, 5]
    ids = (await dfs.post("/v1.0/members/search", {"MemberIds": [3, 4, 100], "PageSize": 1})).json
    assert ids["TotalCount"] == 2 and ids["PageCount"] == 2 and ids["Results"][0]["MemberId"] == 3


async def test_search_members_errors(dfs):
    (await dfs.post("/v1.0/members/search", {"MemberIds": "3"})).expect(400)
    (await dfs.post("/v1.0/members/search", {"SortBy": "Shoe"})).expect(400)


async def test_sync_member_creates_the_member_with_an_audit_context(dfs):
    assert (await dfs.get(f"/v1.0/identities/{JOHN}")).json["MemberId"] is None
    reply = (
        await dfs.post(
            f"/v3.1/identities/{JOHN}/sync-member",
            {"Member": {"Mobile": "41|790000000"}, "Context": {"Createdby": "BackOffice"}},
        )
    ).expect(200)
    assert reply.json["IdentityId"] == JOHN and reply.json["AuditContextId"] == 1001
    member_id = reply.json["MemberId"]
    assert (await dfs.get(f"/v1.0/identities/{JOHN}")).json["MemberId"] == member_id
    member = (await dfs.get(f"/v1.0/members/{member_id}")).json
    assert member["Mobile"] == "41|790000000" and member["LastName"] == "Connor"
    again = (await dfs.post(f"/v3.1/identities/{JOHN}/sync-member", {"Context": {"AuditContextId": 1001}})).json
    assert again["MemberId"] == member_id and again["AuditContextId"] == 1001


async def test_sync_member_errors(dfs):
    (await dfs.post(f"/v3.1/identities/{UNKNOWN}/sync-member", {})).expect(404)
    (await dfs.post(f"/v3.1/identities/{JOHN}/sync-member", {"Context": {"AuditContextId": 4}})).expect(422)
    (await dfs.post(f"/v3.1/identities/{JOHN}/sync-member", {"Member": {"BankBranchId": 77}})).expect(422)
    (await dfs.post(f"/v3.1/identities/{JOHN}/sync-member", {"Member": []})).expect(400)


async def test_sync_members_is_long_running_and_refreshes_every_member(dfs, emulator):
    (await dfs.patch(f"/v1.3/identities/{PETER}", {"LastName": "Silverman"})).expect(204)
    assert (await dfs.get("/v1.0/members/7")).json["LastName"] == "Silberman"  # not synced yet
    reply = (await dfs.post("/v3.0/identities/sync-members")).expect(200)
    status = await wait_until_complete(emulator, reply.json["longRunningRequestId"])
    assert status["kind"] == "sync-members" and status["membersCreated"] == 1  # John
    assert (await dfs.get("/v1.0/members/7")).json["LastName"] == "Silverman"
    assert (await dfs.get(f"/v1.0/identities/{JOHN}")).json["MemberId"] is not None


async def test_sync_members_needs_a_token(dfs):
    (await dfs.post("/v3.0/identities/sync-members", headers={"Authorization": None})).expect(401)


async def test_import_members_creates_only_missing_members(dfs, emulator):
    (await dfs.patch(f"/v1.3/identities/{PETER}", {"LastName": "Silverman"})).expect(204)
    reply = (await dfs.post("/v1.0/identities/import-members")).expect(200)
    status = await wait_until_complete(emulator, reply.json["longRunningRequestId"])
    assert (status["membersCreated"], status["membersUpdated"]) == (1, 0)
    assert (await dfs.get("/v1.0/members/7")).json["LastName"] == "Silberman"
    assert (await dfs.get(f"/v1.0/identities/{JOHN}")).json["MemberId"] is not None


async def test_import_members_refuses_a_token_signed_with_none(dfs, emulator):
    import jwt

    token = jwt.encode({"tenant_id": 2}, None, algorithm="none")
    (await dfs.post("/v1.0/identities/import-members", headers={"Authorization": f"Bearer {token}"})).expect(401)
    (await dfs.post("/v1.0/identities/import-members", headers={"Authorization": "Bearer a.b"})).expect(401)
    await emulator.load_scenario({"dfs": {"settings": {"allowUnsignedTokens": True}}})  # only when a scenario says so
    (await dfs.post("/v1.0/identities/import-members", headers={"Authorization": f"Bearer {token}"})).expect(200)


async def test_get_participant(dfs):
    reply = (await dfs.get("/v1.0/participants/1")).expect(200)
    assert reply.json == {
        "name": "Zurich Advisory Desk",
        "uid": "80bd8718-03e3-4b02-9261-5abdf021b883",
        "isActive": True,
    }


async def test_get_participant_unknown_is_404(dfs):
    (await dfs.get("/v1.0/participants/99")).expect(404)


async def test_create_participant_links_identities_both_ways(dfs):
    reply = (
        await dfs.post("/v1.0/participants", {"name": "Basel Desk", "identityInternalUserIds": [PETER, MILES]})
    ).expect(200)
    assert reply.json["Id"] == 4
    assert (await dfs.get(f"/v1.0/identities/{PETER}")).json["ParticipantIds"] == [2, 4]
    found = (await dfs.post("/v1.0/identities/search", {"ParticipantIds": [4]})).json
    assert {i["IdentityId"] for i in found["Results"]} == {PETER, MILES}


async def test_create_participant_errors(dfs):
    (await dfs.post("/v1.0/participants", {"name": "X", "identityInternalUserIds": [HANK]})).expect(422)
    (await dfs.post("/v1.0/participants", {"identityInternalUserIds": []})).expect(422)
    (await dfs.post("/v1.0/participants", {"name": ["X"]})).expect(400)


async def test_update_participant(dfs):
    (
        await dfs.patch(
            "/v1.0/participants/1", {"name": "Zurich Desk", "isActive": False, "identityInternalUserIds": [SARAH]}
        )
    ).expect(204)
    assert (await dfs.get("/v1.0/participants/1")).json == {
        "name": "Zurich Desk",
        "isActive": False,
        "uid": "80bd8718-03e3-4b02-9261-5abdf021b883",
    }
    assert (await dfs.get(f"/v1.0/identities/{TARISSA}")).json["ParticipantIds"] == []


async def test_update_participant_errors(dfs):
    (await dfs.patch("/v1.0/participants/99", {"name": "x"})).expect(404)
    (await dfs.patch("/v1.0/participants/1", {"identityInternalUserIds": [UNKNOWN]})).expect(422)
    (await dfs.patch("/v1.0/participants/1", {"isActive": "false"})).expect(400)


async def test_search_participants(dfs):
    reply = (
        await dfs.post(
            "/v1.0/participants/search",
            {"page": 0, "pageSize": 0, "sortBy": "name", "sortOrder": "Ascending", "name": "desk"},
        )
    ).expect(200)
    assert [p["id"] for p in reply.json["results"]] == [2, 3, 1]  # prefix of a word of the name
    assert (reply.json["page"], reply.json["pageSize"], reply.json["totalCount"]) == (1, 10, 3)
    active = (await dfs.post("/v1.0/participants/search", {"isActive": True})).json
    assert [p["id"] for p in active["results"]] == [1, 2]
    ids = (await dfs.post("/v1.0/participants/search", {"participantIds": [3], "sortOrder": "Descending"})).json
    assert [p["name"] for p in ids["results"]] == ["Legacy Desk"]


async def test_search_participants_errors(dfs):
    (await dfs.post("/v1.0/participants/search", {"sortOrder": "Up"})).expect(400)
    (await dfs.post("/v1.0/participants/search", {"participantIds": [1.5]})).expect(400)
    assert ROLE_ADVISOR
