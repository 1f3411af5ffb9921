"""The record browser of the control API (GET /__emulator/records…), the dashboard's
static files, and the response headers the journal now keeps."""

import re
from pathlib import Path

import aiohttp
import pytest
import yaml

import emulator as emulator_package
from tests.support.control import ControlClient
from tests.support.customerid import MAIJA, MATTI, VILLE
from tests.support.dfs import ADMIN, SARAH


async def test_counts_every_kind_with_users_by_status(control, cid):
    counts = (await control.get("/records"))["apis"]
    users = counts["customerid"]["users"]
    assert users["count"] == 9 and users["collection"] == "customerid.users"
    assert users["by"]["status"] == {
        "Enabled": 4,
        "Disabled": 1,
        "Locked": 1,
        "Pending": 1,
        "Waiting for registration": 2,
    }
    assert counts["customerid"]["organizations"]["count"] == 7
    assert counts["dfs"]["identities"]["count"] == 14
    assert counts["dfs"]["members"]["by"]["tenant"] == {"tenant 2": 12, "tenant 12": 1}
    assert counts["dfs"]["menuItems"]["count"] == 8  # a collection without a description: a derived name
    await control.post(f"/customerid/users/{VILLE}/register")  # the counts follow the state
    after = (await control.get("/records"))["apis"]["customerid"]["users"]["by"]["status"]
    assert after["Enabled"] == 5 and after["Waiting for registration"] == 1


async def test_counts_are_per_namespace(emulator, control):
    async with aiohttp.ClientSession() as session:
        other = ControlClient(emulator, session, namespace="records-other")
        await other.post("/scenarios", {"customerid": {"organizations": {}}}, params={"replace": "true"})
        assert (await other.get("/records"))["apis"]["customerid"]["users"]["count"] == 0
        assert (await other.get("/records"))["namespace"] == "records-other"
        status, problem = await other.call("GET", "/records", headers={"X-Emulator-Namespace": "bad name!"})
        assert status == 400 and problem["where"] == "X-Emulator-Namespace"
    assert (await control.get("/records"))["apis"]["customerid"]["users"]["count"] == 9


async def test_pages_through_a_kind_in_store_order(control):
    first = await control.get("/records/customerid/users", params={"limit": "4"})
    assert (first["total"], first["offset"], first["limit"], len(first["records"])) == (9, 0, 4, 4)
    assert first["columns"][0] == "id" and "statusName" in first["columns"]
    rest = await control.get("/records/customerid/users", params={"offset": "4", "limit": "500"})
    ids = [entry["id"] for entry in first["records"] + rest["records"]]
    assert len(ids) == len(set(ids)) == 9 and MAIJA in ids
    assert (await control.get("/records/customerid/users", params={"offset": "9"}))["records"] == []
    maija = next(entry for entry in first["records"] if entry["id"] == MAIJA)
    assert maija["row"]["login"] == "maija.virtanen" and maija["row"]["statusName"] == "Enabled"
    assert maija["answers"][0]["operation"] == "GET105" and "record" not in maija  # the API's view, not the store's


async def test_one_bucket_of_a_breakdown(control):
    waiting = await control.get(
        "/records/customerid/users", params={"by": "status", "value": "Waiting for registration"}
    )
    assert waiting["total"] == 2 and (waiting["by"], waiting["value"]) == ("status", "Waiting for registration")
    assert {entry["row"]["statusName"] for entry in waiting["records"]} == {"Waiting for registration"}
    searched = await control.get("/records/customerid/users", params={"by": "status", "value": "Enabled", "q": "ma"})
    assert {entry["row"]["login"] for entry in searched["records"]} == {"maija.virtanen", "matti.meikalainen"}
    globex = await control.get("/records/dfs/members", params={"by": "tenant", "value": "tenant 12"})
    assert [entry["row"]["tenant_id"] for entry in globex["records"]] == [12]
    none = await control.get("/records/customerid/users", params={"by": "status", "value": "Sleeping"})
    assert none["total"] == 0


@pytest.mark.parametrize(
    "path, params, where",
    [
        ("/records/customerid/users", {"by": "colour", "value": "red"}, "?by"),
        ("/records/customerid/roles", {"by": "status", "value": "Enabled"}, "?by"),
        ("/records/customerid/users", {"by": "status"}, "?value"),
    ],
)
async def test_unknown_breakdown_is_400(control, path, params, where):
    status, problem = await control.call("GET", path, params=params)
    assert status == 400 and problem["where"] == where, problem


@pytest.mark.parametrize(
    "params, where",
    [
        ({"limit": "0"}, "?limit"),
        ({"limit": "501"}, "?limit"),
        ({"limit": "ten"}, "?limit"),
        ({"offset": "-1"}, "?offset"),
        ({"offset": "²"}, "?offset"),
        ({"q": "x" * 201}, "?q"),
    ],
)
async def test_bad_paging_is_400(control, params, where):
    status, problem = await control.call("GET", "/records/customerid/users", params=params)
    assert status == 400 and problem["where"] == where, problem


async def test_search_goes_through_the_indexes(control):
    by_name = await control.get("/records/customerid/users", params={"q": "MATTI"})  # prefix, any case
    assert [entry["id"] for entry in by_name["records"]] == [MATTI] and by_name["query"] == "MATTI"
    by_email = await control.get("/records/customerid/users", params={"q": "maija.virtanen@"})
    assert [entry["id"] for entry in by_email["records"]] == [MAIJA]
    by_id = await control.get("/records/customerid/users", params={"q": VILLE})
    assert [entry["id"] for entry in by_id["records"]] == [VILLE]
    members = await control.get("/records/dfs/members", params={"q": "connor"})  # word prefix of a name
    assert [entry["answers"][0]["body"]["IdentityId"] for entry in members["records"]] == [SARAH]
    identities = await control.get("/records/dfs/identities", params={"q": "sarah"})
    assert SARAH in [entry["id"] for entry in identities["records"]]
    nothing = await control.get("/records/customerid/users", params={"q": "no-such-user"})
    assert (nothing["total"], nothing["records"]) == (0, [])


async def test_one_record_by_kind_and_id(control):
    maija = await control.get(f"/records/customerid/users/{MAIJA}")
    assert (maija["api"], maija["kind"], maija["id"]) == ("customerid", "users", MAIJA)
    assert "<Value>maija.virtanen</Value>" in maija["answers"][0]["body"] and maija["row"]["statusName"] == "Enabled"
    tenant = await control.get("/records/dfs/tenants/2")  # integer keys
    assert tenant["record"]["id"] == 2 and tenant["record"]["key"]
    access = await control.get(f"/records/dfs/tenantAccess/{ADMIN}:2")  # composite keys
    assert access["record"]["identity_id"] == ADMIN and access["record"]["tenant_id"] == 2


@pytest.mark.parametrize(
    "path, status, where",
    [
        ("/records/nosuchapi/users", 404, "api"),
        ("/records/customerid/nosuchkind", 404, "kind"),
        ("/records/customerid/users/99999999-9999-4999-8999-999999999999", 404, "id"),
        ("/records/dfs/tenants/99", 404, "id"),
        ("/records/dfs/tenants/²", 404, "id"),
        ("/records/dfs/tenantAccess/x:²:", 404, "id"),
    ],
)
async def test_unknown_api_kind_or_record_is_404(control, path, status, where):
    code, problem = await control.call("GET", path)
    assert (code, problem["where"]) == (status, where), problem
    if where in ("api", "kind"):
        assert problem["known"]


async def test_records_need_the_control_token_but_the_dashboard_page_does_not(make_emulator):
    emulator = await make_emulator(control_token="s3cret")
    async with aiohttp.ClientSession() as session:
        status, problem = await ControlClient(emulator, session).call("GET", "/records")
        assert status == 401 and problem["where"] == "Authorization"
        authorized = ControlClient(emulator, session, headers={"Authorization": "Bearer s3cret"})
        assert (await authorized.get("/records/customerid/users"))["total"] == 9
        async with session.get(emulator.url + "/__emulator/") as page:
            assert page.status == 200 and page.content_type == "text/html"
            assert page.headers["Content-Security-Policy"].startswith("default-src 'self'")
            assert 'src="dashboard/app.js"' in await page.text()


async def test_dashboard_files_are_served_from_the_package(emulator):
    async with aiohttp.ClientSession() as session:
        for name, content_type in (("app.js", "text/javascript"), ("app.css", "text/css")):
            async with session.get(f"{emulator.url}/__emulator/dashboard/{name}") as response:
                assert (response.status, response.content_type) == (200, content_type)
                assert "http://" not in await response.text() and "https://" not in await response.text()
        async with session.get(f"{emulator.url}/__emulator/dashboard/secrets.txt") as missing:
            assert missing.status == 404 and (await missing.json())["where"] == "file"
        async with session.get(f"{emulator.url}/__emulator/dashboard/..%2Fcontrol.py") as escape:
            assert escape.status == 404
        async with session.get(f"{emulator.url}/__emulator", allow_redirects=False) as bare:
            assert bare.status == 302 and bare.headers["Location"] == "/__emulator/"


async def test_journal_keeps_response_headers(emulator, control, cid):
    await cid.get(f"/users/{MAIJA}")
    entry = (await control.get("/requests"))["requests"][0]
    assert entry["response_headers"]["Content-Type"].startswith("application/xml")
    await control.add_fault(match={"operation": "GET105"}, action={"kind": "reset"})
    async with aiohttp.ClientSession() as session:
        with pytest.raises(aiohttp.ClientError):  # the connection is dropped: no response, no headers
            async with session.get(f"{emulator.customerid_url()}/users/{MAIJA}", headers=emulator.auth_headers):
                pass
    dropped = (await control.get("/requests", params={"fault": "true"}))["requests"]
    assert dropped and all(entry["status"] is None and entry["response_headers"] is None for entry in dropped)


async def test_a_user_is_shown_as_get105_answers_it(emulator, control):
    """Issue 23 point 6: the records view shows each record as the API would answer it."""
    answer = (await control.get(f"/records/customerid/users/{MAIJA}"))["answers"]
    assert [(a["operation"], a["contentType"]) for a in answer] == [("GET105", "application/xml")]
    assert answer[0]["request"] == f"GET /customerid-rest/services/2.1/users/{MAIJA}"
    async with aiohttp.ClientSession() as session:
        url = f"{emulator.customerid_url()}/users/{MAIJA}"
        async with session.get(url, headers=emulator.auth_headers) as response:  # the scenario's credentials
            assert response.status == 200
            assert answer[0]["body"] == await response.text()  # byte for byte, inResponseTo included
    organization = (await control.get("/records/customerid/organizations", params={"limit": 1}))["records"][0]
    assert organization["answers"][0]["operation"] == "GET107" and "<Organization" in organization["answers"][0]["body"]


async def test_an_identity_is_shown_as_the_dfs_get_answers_it(emulator, control):
    answers = (await control.get(f"/records/dfs/identities/{SARAH}"))["answers"]
    assert [(a["operation"], a["tenant"]) for a in answers] == [
        ("get /v1.0/identities/{identityId}", "Additiv"),
        ("get /v1.0/identities/{identityId}", "GlobexWealth"),
    ]  # Sarah is in two tenants: one answer per tenant, as a token names one
    async with aiohttp.ClientSession() as session:
        url = f"{emulator.dfs_url()}/identities/{SARAH}"
        async with session.get(url, headers=emulator.dfs_headers) as response:  # a token of the Additiv tenant
            assert response.status == 200
            assert answers[0]["body"] == await response.json()
    policy = (await control.get("/records/dfs/accessPolicies", params={"limit": 1}))["records"][0]
    assert policy["answers"][0]["request"] == f"GET /v1.0/access-policies/{policy['id']}"


DEFAULT_SCENARIO = Path(emulator_package.__file__).parent / "builtin_scenarios" / "default.yaml"


def _secret_values(value, name=""):
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _secret_values(item, str(key))
    elif isinstance(value, list):
        for item in value:
            yield from _secret_values(item, name)
    elif isinstance(value, str) and re.search("password|secret", name, re.IGNORECASE):
        yield value


def _texts(value):
    if isinstance(value, dict):
        for item in value.values():
            yield from _texts(item)
    elif isinstance(value, list):
        for item in value:
            yield from _texts(item)
    elif isinstance(value, str):
        yield value


async def test_no_record_of_any_kind_shows_a_password(control):
    """Every page of every kind of the default scenario: none of the passwords and
    client secrets its file holds appears, and a stored record's secret fields are hidden."""
    secrets = set(_secret_values(yaml.safe_load(DEFAULT_SCENARIO.read_text())))
    assert {"Secret123!", "dfs-ci-secret", "Sarah.Password1"} <= secrets
    counts = (await control.get("/records"))["apis"]
    seen = 0
    for api, kinds in counts.items():
        for kind, info in kinds.items():
            for offset in range(0, info["count"], 500):
                page = await control.get(f"/records/{api}/{kind}", params={"offset": offset, "limit": 500})
                for entry in page["records"]:
                    seen += 1
                    leaked = secrets & set(_texts(entry))
                    assert not leaked, (api, kind, entry["id"])
                    stored = entry.get("record", {})
                    assert all(stored[name] == "(hidden)" for name in stored if "password" in name.lower()), entry
    assert seen > 50
    identity = await control.get(f"/records/dfs/identities/{SARAH}")
    assert "password" not in str(identity).lower()  # the API's answer has no password field at all


async def test_bookkeeping_kinds_are_marked_internal(control):
    counts = (await control.get("/records"))["apis"]
    internal = {api: sorted(kind for kind, info in kinds.items() if info["internal"]) for api, kinds in counts.items()}
    assert internal == {
        "customerid": ["locks", "sso.authorizationCodes", "sso.sessions", "ssoFailedLogins", "ssoTokens"],
        "dfs": ["auditContexts", "longRunning", "revokedTokens", "sequences"],
    }
    assert counts["customerid"]["users"]["internal"] is False and counts["dfs"]["menuItems"]["internal"] is False
    sequences = await control.get("/records/dfs/sequences")  # still browsable, by the same routes
    assert sequences["total"] == counts["dfs"]["sequences"]["count"] > 0
