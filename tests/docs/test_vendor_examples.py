"""Every request example of the vendor documents that this repository vendors
succeeds unchanged (ids aside) against the default scenario (issue 10, point 7):
the curl examples of "REST API 2.1 - CustomerID" (tests/data/customerid-2.1-curl-
examples.txt) and its PATCH124 request bodies (fixtures/customerid/2.1/PATCH124.
request.xml and .json, with the document's own attribute names Custom1/Custom2),
every curl example of the CustomerID REST API 1.0 reference (tests/data/
customerid-1.0-curl-examples.txt), and every request sample of "DFS Admin Services
API (latest)" (tests/data/dfs-request-samples.json)."""

import json
import re
import urllib.parse
from pathlib import Path

import aiohttp
import pytest

from tests.support.dfs import ROLE_ADMIN, ROLE_ADVISOR, ROLE_TRAINEE, SARAH, TARISSA
from tests.support.vendored import DATA, vendored_lines

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "customerid" / "2.1"
EXAMPLES = [tuple(line.split("\t", 1)) for line in vendored_lines("customerid-2.1-curl-examples.txt")]
UUID = r"[0-9A-Fa-f]{8}-[0-9A-Fa-f-]{4,}[0-9A-Fa-f]{12}|X{8}-[X-]+X{12}"
# Which scenario entity an example's id stands for, by the path segment before it
KIND_BY_SEGMENT = {
    "users": "user",
    "organizations": "organization",
    "roles": "role",
    "mandates": "mandate",
    "delegations": "delegation",
}
# Where the operation needs a user in a particular state: PUT123 re-invites an invited user
USER_BY_OPERATION = {"PUT123": "ville"}


def parse_curl(line: str) -> dict:
    """Method, URL, credentials, headers and form data of a printed curl line (some
    are not valid shell as printed: an unclosed quote, a '|' after the URL)."""
    url = re.search(r'https://[^"\s|\\]+', line).group(0)
    method = re.search(r"-X (\w+)", line).group(1)
    user, password = re.search(r"-u (\S+)", line).group(1).split(":", 1)
    headers = dict(header.split(": ", 1) for header in re.findall(r"--header '([^']+)'", line))
    form = [urllib.parse.unquote_plus(part) for part in re.findall(r"--data-urlencode '([^']+)'", line)]
    return {"method": method, "url": url, "auth": (user, password), "headers": headers, "form": form}


def with_ids(emulator, url: str, operation: str) -> str:
    """The example's host and ids replaced by the emulator's and the default scenario's."""
    path = re.sub(r"^https://[^/]+", emulator.url, url)

    def replace(match: re.Match) -> str:
        segment = path[: match.start()].rstrip("/").rsplit("/", 1)[-1]
        if segment.endswith("Id") or "=" in segment:  # a query parameter (parentOrganizationId=...)
            return emulator.id_of("organization", "acme")
        kind = KIND_BY_SEGMENT[segment]
        key = USER_BY_OPERATION.get(operation, "maija") if kind == "user" else first_key(emulator, kind)
        return emulator.id_of(kind, key)

    return re.sub(UUID, replace, path)


def first_key(emulator, kind: str) -> str:
    preferred = {"organization": "acme", "delegation": "sari-role-to-anna"}  # GET116 queries a role delegation
    return preferred.get(kind) or sorted(key for known, key in emulator.state.world.keys if known == kind)[0]


@pytest.mark.parametrize("operation, line", EXAMPLES, ids=[f"{code}-{n}" for n, (code, _) in enumerate(EXAMPLES)])
async def test_customerid_21_curl_example_succeeds(emulator, operation, line):
    request = parse_curl(line)
    url = with_ids(emulator, request["url"], operation)
    data = (
        "&".join(
            urllib.parse.quote_plus(part.split("=", 1)[0]) + "=" + urllib.parse.quote_plus(part.split("=", 1)[1])
            for part in request["form"]
        )
        or None
    )
    async with aiohttp.ClientSession() as http:
        headers = {"Authorization": aiohttp.encode_basic_auth(*request["auth"]), **request["headers"]}
        async with http.request(request["method"], url, headers=headers, data=data) as response:
            body = await response.text()
    assert 200 <= response.status < 300, (operation, url, response.status, body[:500])


def test_every_documented_21_operation_has_its_curl_example_here():
    documented = set(vendored_lines("customerid-2.1-operation-codes.txt"))
    assert {code for code, _ in EXAMPLES} == documented


@pytest.mark.parametrize(
    "sample, content_type", [("PATCH124.request.xml", "application/xml"), ("PATCH124.request.json", "application/json")]
)
async def test_patch124_request_samples_succeed_as_printed(emulator, sample, content_type):
    user = emulator.id_of("user", "liisa")
    async with emulator.session() as http:
        async with http.patch(
            emulator.customerid_url("2.1") + f"/users/{user}",
            data=(FIXTURES / sample).read_bytes(),
            headers={"Content-Type": content_type, "Accept": content_type},
        ) as response:
            body = await response.text()
    assert response.status == 200, body
    assert "Value1" in body and "Value3" in body  # Custom1 (two values) and Custom2 as the sample sets them


# -- DFS Admin Services API (latest): every request sample ---------------------------------------

DFS_SAMPLES = json.loads((DATA / "dfs-request-samples.json").read_text(encoding="utf-8"))["samples"]
# Ids aside: which scenario entity stands in for each path parameter, and for the
# ids inside a sample's body (the document folds arrays, so an array of ids it
# shows as [] stands for ids we fill in; its "string" and 0 are placeholders).
DFS_PATH_IDS = {"{identityId}": SARAH, "{roleId}": str(ROLE_ADVISOR), "{tenantId}": "2", "{participantId}": "1"}
DFS_IDS_ASIDE = {
    "patch /v1.0/roles/{roleId}/back-office-permissions": ({}, {"MenuItemIds": [2453]}),
    "patch /v1.0/identities/{identityId}/back-office-permissions": (
        {},
        {"DefaultMenuItemId": 2453, "MenuItemIds": [2453]},
    ),
    "patch /v1.0/tenants/{tenantId}/identities/{identityId}/access": ({}, {"TenantId": 2}),  # the token's tenant
    "put /v1.0/identities/{identityId}/hierarchy/exclude": ({}, [TARISSA]),
    "patch /v2.0/roles/{roleId}": ({"{roleId}": str(ROLE_ADMIN)}, {}),  # the sample's System-Administrator
    "put /v2.0/roles/{roleId}/hierarchy/exclude": ({"{roleId}": str(ROLE_ADMIN)}, [ROLE_TRAINEE]),
    # "string" is the document's type placeholder; sortBy takes Id, Name or IsActive
    "post /v1.0/participants/search": ({}, {"sortBy": "Name"}),
}


def dfs_request(sample: dict) -> tuple[str, str, object]:
    method, path = sample["operation"].split(" ", 1)
    path_ids, body_ids = DFS_IDS_ASIDE.get(sample["operation"], ({}, {}))
    for parameter, value in {**DFS_PATH_IDS, **path_ids}.items():
        path = path.replace(parameter, value)
    body = sample["body"]
    if isinstance(body_ids, list):
        body = body_ids
    elif body_ids:
        body = {**body, **body_ids}
    return method.upper(), path, body


@pytest.mark.parametrize("sample", DFS_SAMPLES, ids=[sample["operation"] for sample in DFS_SAMPLES])
async def test_dfs_request_sample_succeeds(emulator, sample):
    method, path, body = dfs_request(sample)
    async with aiohttp.ClientSession() as http:
        async with http.request(method, emulator.url + path, json=body, headers=emulator.dfs_headers) as response:
            text = await response.text()
    assert 200 <= response.status < 300, (sample["operation"], response.status, text[:500])


def test_every_dfs_request_sample_is_here_and_only_ids_are_set_aside():
    assert len(DFS_SAMPLES) == 18
    for sample in DFS_SAMPLES:
        _, body_ids = DFS_IDS_ASIDE.get(sample["operation"], ({}, {}))
        if isinstance(body_ids, dict):  # ids, or the document's "string" placeholder
            assert all(key.endswith(("Id", "Ids")) or sample["body"].get(key) == "string" for key in body_ids), sample[
                "operation"
            ]


# -- CustomerID REST API 1.0: every curl example --------------------------------------------------

EXAMPLES_10 = [tuple(line.split("\t", 1)) for line in vendored_lines("customerid-1.0-curl-examples.txt")]
DOCUMENTED_ORGANIZATION = "6666666-6"  # the examples' organization (technical name), created by MOD001b
# Ids aside: in 1.0 entities are named, so a role's name is its id. The examples use
# one role, TestRole, which MOD007 creates; the others act on roles the default
# scenario's ACME (1234567-8) has, and on its user maija.
ROLE_BY_OPERATION = {"MOD005": "OrganizationUser", "MOD006": "OrganizationMainUser", "MOD008": "OrganizationUser"}


def with_names_10(emulator, url: str, operation: str) -> str:
    path = re.sub(r"^https://[^/]+", emulator.url, url)
    if operation != "MOD001b":  # every other example acts on an organization that exists
        path = path.replace(DOCUMENTED_ORGANIZATION, "1234567-8")
    model = emulator.model()
    maija = model.user_entity_name(model.users.get(emulator.id_of("user", "maija")))
    path = re.sub(r"1234567-8/X{8}-[X-]+X{12}", maija, path)
    if operation in ROLE_BY_OPERATION:
        path = path.replace("/TestRole", "/" + ROLE_BY_OPERATION[operation])
    return path


@pytest.mark.parametrize("operation, line", EXAMPLES_10, ids=[code for code, _ in EXAMPLES_10])
async def test_customerid_10_curl_example_succeeds(emulator, operation, line):
    request = parse_curl(line)
    url = with_names_10(emulator, request["url"], operation)
    async with aiohttp.ClientSession() as http:
        headers = {"Authorization": aiohttp.encode_basic_auth(*request["auth"])}
        async with http.request(request["method"], url, headers=headers) as response:
            body = await response.text()
    assert 200 <= response.status < 300, (operation, url, response.status, body[:500])
