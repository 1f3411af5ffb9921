"""post /v1.0/identities/search pages come from sorted matches cached per world
until its next write: every write, reset and namespace shows at once."""

from tests.support.dfs import ROLE_ADVISOR


async def search(dfs, **criteria):
    return (await dfs.post("/v1.0/identities/search", {"PageSize": 2, **criteria})).expect(200).json


async def test_pages_follow_writes_made_between_them(dfs, control):
    first = await search(dfs, Page=1)
    total = first["TotalCount"]
    assert (await search(dfs, Page=1)) == first  # the same question, the same answer
    (await dfs.post("/v1.2/identities", {"Username": "aaa.first", "IdentityRoleId": ROLE_ADVISOR})).expect(200)
    after = await search(dfs, Page=1)
    assert after != first and "aaa.first" in [row["UserName"] for row in after["Results"]]
    assert after["TotalCount"] == total + 1
    await control.post("/reset")
    assert (await search(dfs, Page=1)) == first


async def test_sort_order_and_errors_are_not_cached_across_questions(dfs):
    ascending = [row["UserName"] for row in (await search(dfs, PageSize=50))["Results"]]
    descending = [row["UserName"] for row in (await search(dfs, PageSize=50, SortOrder="Descending"))["Results"]]
    assert sorted(ascending, key=str.casefold) == ascending and descending == ascending[::-1]
    for _ in range(2):
        (await dfs.post("/v1.0/identities/search", {"SortBy": "NoSuchProperty"})).expect(400)


async def test_identity_ids_in_a_body_are_guids_in_the_hyphenated_form(dfs):
    """post /v1.0/identities/search: System.Text.Json reads a Guid in the "D" form only
    (docs/fidelity.md); either case is fine, 32 bare hex digits are 400."""
    some = (await search(dfs, Page=1))["Results"][0]["IdentityId"]
    found = await search(dfs, IdentityIds=[some.upper()])
    assert [row["IdentityId"] for row in found["Results"]] == [some]
    bare = await dfs.post("/v1.0/identities/search", {"IdentityIds": [some.replace("-", "")]})
    assert bare.expect(400).json["Code"] == "BadRequest"
