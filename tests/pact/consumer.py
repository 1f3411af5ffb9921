"""A consumer of both APIs written as a Pact consumer test would be: pact-python's mock
server stands in for the provider while the consumer's own requests run against it, and
the pact it writes is what the emulator then verifies (tests/pact/test_verify.py)."""

from __future__ import annotations

import base64
import json
import urllib.request
from pathlib import Path

from pact import Pact, generate, match, xml
from pact.match.matcher import GenericMatcher

CUSTOMERID = "/customerid-rest/services/2.1"
NS = "http://schema.ubisecure.com/customerid/api"
BASIC = "Basic " + base64.b64encode(b"portal:an-old-password").decode()  # a literal credential: verify replaces it
STALE_BEARER = "Bearer eyJhbGciOiJSUzI1NiJ9.eyJleHAiOjF9.c3RhbGU"  # long expired


def _call(url: str, method: str = "GET", headers: dict | None = None, data: bytes | None = None) -> tuple[int, bytes]:
    request = urllib.request.Request(url, method=method, headers=headers or {}, data=data)
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:
            return answer.status, answer.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


UUID = r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"


def from_provider_state(expression: str, example: str) -> GenericMatcher:
    """``example`` in the consumer's test; on verification, ``expression`` filled in from the
    values the provider state's setup answered (Pact's ``fromProviderState``)."""
    return GenericMatcher("type", value=example, generator=generate.provider_state(expression))


def uuid_text(example: str = "aaaaaaaa-0000-4000-8000-00000000abcd"):
    """A uuid as XML text: a plain regex (pact's XML builder refuses match.uuid's generator)."""
    return match.regex(example, regex=UUID)


def user_xml(user_id, firstname):
    """GET105's User document, as much of it as the consumer reads."""
    return xml.body(
        xml.element(
            "User",
            xml.element("Attribute", xml.element("Value", user_id), attrs={"name": "id"}),
            xml.element("Attribute", xml.element("Value", firstname), attrs={"name": "firstname"}),
            attrs={"xmlns": NS},
        )
    )


def write_consumer_pact(directory: Path, *, get105_status: int = 200, search_shape: str = "Results") -> Path:
    """GET105 (XML) under a provider state, POST100 with a literal Basic credential, and a DFS identity
    search whose Bearer token comes from a provider state. ``get105_status`` and ``search_shape``
    let a test write a pact the emulator must fail."""
    pact = Pact("acme-portal", "identity-emulator").with_specification("V4")
    (
        pact.upon_receiving("GET105 a user as XML")
        .given("a user with given attributes exists", {"firstname": "Pat", "surname": "Act"})
        .with_request(
            "GET",
            from_provider_state(
                f"{CUSTOMERID}/users/${{userId}}", f"{CUSTOMERID}/users/aaaaaaaa-0000-4000-8000-00000000abcd"
            ),
        )
        .with_header("Authorization", BASIC)
        .will_respond_with(get105_status)
        .with_body(
            user_xml(from_provider_state("${userId}", "aaaaaaaa-0000-4000-8000-00000000abcd"), "Pat"), "application/xml"
        )
    )
    (
        pact.upon_receiving("POST100 an organization")
        .with_request("POST", f"{CUSTOMERID}/organizations/")
        .with_header("Authorization", BASIC)
        .with_header("Content-Type", "application/x-www-form-urlencoded")
        .with_body("technicalName=9999999-9&friendlyName=Pact+Oy", "application/x-www-form-urlencoded")
        .will_respond_with(201)
        .with_body(
            xml.body(xml.element("Organizations", xml.element("Id", uuid_text()), attrs={"xmlns": NS})),
            "application/xml",
        )
    )
    identity = {"IdentityId": match.uuid(), "UserName": match.str("pat@example.org"), "FirstName": "Dee"}
    (
        pact.upon_receiving("post /v1.0/identities/search in a tenant")
        .given("a DFS identity exists in a tenant", {"firstName": "Dee"})
        .with_request("POST", "/v1.0/identities/search")
        .with_header("Authorization", from_provider_state("Bearer ${dfsToken}", STALE_BEARER))
        .with_body({"page": 1, "pageSize": 10}, "application/json")
        .will_respond_with(200)
        .with_body({search_shape: match.each_like(identity, min=1)}, "application/json")
    )
    with pact.serve() as server:
        base = str(server.url).rstrip("/")
        status, body = _call(
            f"{base}{CUSTOMERID}/users/aaaaaaaa-0000-4000-8000-00000000abcd", headers={"Authorization": BASIC}
        )
        assert status == get105_status and b"Pat" in body
        status, body = _call(
            f"{base}{CUSTOMERID}/organizations/",
            "POST",
            {"Authorization": BASIC, "Content-Type": "application/x-www-form-urlencoded"},
            b"technicalName=9999999-9&friendlyName=Pact+Oy",
        )
        assert status == 201
        status, body = _call(
            f"{base}/v1.0/identities/search",
            "POST",
            {"Authorization": STALE_BEARER, "Content-Type": "application/json"},
            json.dumps({"page": 1, "pageSize": 10}).encode(),
        )
        assert status == 200 and json.loads(body)[search_shape][0]["FirstName"] == "Dee"
    pact.write_file(directory, overwrite=True)
    return directory / "acme-portal-identity-emulator.json"
