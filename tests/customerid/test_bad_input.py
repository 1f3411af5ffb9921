"""Bad input on CustomerID 2.1: every refusal is the CustomerID error document.

docs/fidelity.md, "Errors" and "Bad input": whatever a client sends, the answer is
``<error><code/><message/></error>`` (valid against customerid-error.xsd) with a
4xx status, never a 500 or a traceback, and a refused write changes nothing.
Statuses and codes checked here:

    401 code 2   missing / malformed / wrong credentials (+ WWW-Authenticate)
    404 code 7   unknown path, unknown or malformed id in the path
    405 code 13  a method the path does not serve (+ Allow)
    413 code 1   a body over 1 MiB
    400 code 1   everything else: control characters, values over 4096 characters,
                 bad integers and booleans, percent-encoding garbage, bodies that do
                 not parse or carry a DTD/entities, wrong types, wrong Content-Type

Writes are checked against a snapshot of the whole store and against what the API
itself answers (GET104, GET106, GET105, GET107) before and after.
"""

from __future__ import annotations

import base64
import json
from contextlib import asynccontextmanager
from xml.etree.ElementTree import ParseError

import aiohttp
import pytest
from defusedxml.ElementTree import fromstring
from yarl import URL

from tests.customerid.test_shapes import SHAPE_CALLS, ShapeCall, operations
from tests.support.customerid import (
    ACME,
    ACME_SALES,
    GLOBEX,
    MAIJA,
    MANDATE_ACME_TO_SARI,
    MATTI,
    NS,
    ROLE_DELEGATION_SARI_TO_ANNA,
    SALES_MANAGER,
    CustomerIdClient,
    Reply,
    document_schema,
    error_schema,
)

LIMIT = 1024 * 1024  # EmulatorConfig.max_body_bytes
MAX_VALUE = 4096  # longest accepted parameter value
WWW_AUTHENTICATE = 'Basic realm="CustomerID REST API"'
USER_URL = f"/users/{MAIJA}"

WRITES = sorted(code for code, call in SHAPE_CALLS.items() if call.method != "GET")
PATH_ID_VALUES = {
    "userId": MAIJA,
    "organizationId": ACME,
    "roleId": SALES_MANAGER,
    "mandateId": MANDATE_ACME_TO_SARI,
    "delegationId": ROLE_DELEGATION_SARI_TO_ANNA,
}


def basic(user: str | bytes, password: str | bytes) -> str:
    raw = (
        (user if isinstance(user, bytes) else user.encode())
        + b":"
        + (password if isinstance(password, bytes) else password.encode())
    )
    return "Basic " + base64.b64encode(raw).decode()


# --------------------------------------------------------------------------- helpers


def checked(reply: Reply, what: str) -> Reply:
    """Parse and schema-check an answer the way CustomerIdClient does, but report a
    document that is not well-formed as a test failure naming the request."""
    content_type = reply.headers.get("Content-Type", "")
    if reply.body and "xml" in content_type:
        try:
            reply.root = fromstring(reply.body)
        except ParseError as error:
            pytest.fail(f"{what}: answer is not well-formed XML ({error}): {reply.body[:300]!r}")
        schema = error_schema() if reply.root.tag == "error" else document_schema()
        errors = list(schema.iter_errors(reply.body.decode()))
        assert not errors, f"{what}: answer does not validate: {errors[0]}\n{reply.text}"
    elif reply.body and "json" in content_type:
        reply.json = json.loads(reply.body)
    return reply


async def raw(cid, method: str, raw_path: str, *, data=None, headers=None, session=None) -> Reply:
    """A request whose path and query go on the wire exactly as written (no re-quoting)."""
    url = URL(cid.url(raw_path), encoded=True)
    async with (session or cid.session).request(method, url, data=data, headers=headers) as response:
        reply = Reply(response.status, dict(response.headers), await response.read())
    return checked(reply, f"{method} {raw_path[:120]}")


def expect_error(reply: Reply, status: int, code: int) -> Reply:
    """The CustomerID error document with the given status and code, nothing else."""
    assert 400 <= status < 500
    assert reply.status == status and reply.status != 500, (reply.status, reply.text[:500])
    assert reply.headers.get("Content-Type", "").startswith("application/xml"), (reply.headers, reply.body[:300])
    assert reply.root is not None and reply.root.tag == "error", f"not an error document: {reply.text[:500]}"
    assert [child.tag for child in reply.root] == ["code", "message"], reply.text
    assert int(reply.root.findtext("code")) == code, (status, code, reply.text[:500])
    assert reply.root.findtext("message"), reply.text
    assert "Traceback" not in reply.text and 'File "' not in reply.text, reply.text
    return reply


def store_snapshot(cid) -> dict:
    store = cid.emulator.model().store
    return {kind: {record_id: store[kind].get(record_id) for record_id in store[kind].ids()} for kind in store.kinds()}


async def api_view(cid) -> dict:
    """What the API itself says about the data the writes here aim at."""
    view = {}
    for path in ("/users/", "/organizations/", f"/organizations/{ACME}/users?recursive=true"):
        reply = await cid.get(path)
        assert reply.status == 200, reply.text
        view[path] = sorted(reply.ids)
    for path in (USER_URL, f"/users/{MATTI}", f"/organizations/{ACME}", f"/organizations/{ACME_SALES}"):
        reply = await cid.get(path)
        assert reply.status == 200, reply.text
        view[path] = reply.attributes
    return view


@asynccontextmanager
async def unchanged(cid):
    """Asserts that nothing in the store, nor in the API's answers, changed inside the block."""
    store_before = store_snapshot(cid)
    api_before = await api_view(cid)
    yield
    store_after = store_snapshot(cid)
    changed = {
        kind: sorted(
            str(i)
            for i in set(store_before[kind]) | set(store_after.get(kind, {}))
            if store_before[kind].get(i) != store_after.get(kind, {}).get(i)
        )
        for kind in store_before
    }
    changed = {kind: ids for kind, ids in changed.items() if ids}
    assert not changed, f"a refused request changed the store: {changed}"
    assert await api_view(cid) == api_before


async def shape_call(client: CustomerIdClient, call: ShapeCall, **overrides) -> Reply:
    params = overrides.pop("params", call.params) or None
    headers = overrides.pop("headers", call.headers())
    return await client.call(
        call.method,
        overrides.pop("path", call.path),
        params=params,
        data=overrides.pop("data", call.body),
        headers=headers,
    )


# --------------------------------------------------------------------------- authentication

BAD_AUTHORIZATION = {
    "wrong password": basic("restuser", "wrong"),
    "wrong user": basic("nobody", "secret"),
    "empty password": basic("restuser", ""),
    "empty user and password": basic("", ""),
    "password with a trailing newline": basic("restuser", "secret\n"),
    "password of another case": basic("restuser", "SECRET"),
    "not base64": "Basic !!!not*base64!!!",
    "base64 without a colon": "Basic " + base64.b64encode(b"restusersecret").decode(),
    "base64 that is not UTF-8": basic(b"\xff\xfe", b"\xff"),
    "scheme without credentials": "Basic",
    "empty header": "",
    "bearer scheme": "Bearer " + base64.b64encode(b"restuser:secret").decode(),
    "digest scheme": 'Digest username="restuser", realm="CustomerID REST API", response="x"',
    "credentials without a scheme": base64.b64encode(b"restuser:secret").decode(),
}


def expect_authentication_failed(reply: Reply, challenge: str = WWW_AUTHENTICATE) -> None:
    expect_error(reply, 401, 2)
    assert reply.headers.get("WWW-Authenticate", "").startswith(challenge), reply.headers


@pytest.fixture
async def anonymous(emulator):
    """A client that sends no credentials of its own."""
    async with aiohttp.ClientSession() as session:
        yield CustomerIdClient(emulator, session)


async def test_missing_credentials_are_authentication_failed(anonymous):
    expect_authentication_failed(await anonymous.get("/users/"))


@pytest.mark.parametrize("label", sorted(BAD_AUTHORIZATION))
async def test_bad_authorization_header_is_authentication_failed(anonymous, label):
    # a Bearer token is checked as an OAuth2 token: its challenge is RFC 6750's
    challenge = (
        'Bearer realm="CustomerID REST API", error="invalid_token"' if label == "bearer scheme" else WWW_AUTHENTICATE
    )
    expect_authentication_failed(
        await anonymous.get("/users/", headers={"Authorization": BAD_AUTHORIZATION[label]}), challenge
    )


async def test_basic_scheme_name_is_case_insensitive(anonymous):
    """RFC 7235: the auth scheme is case-insensitive (control for the cases above)."""
    lower_case_scheme = "basic " + basic("restuser", "secret").removeprefix("Basic ")
    reply = await anonymous.get("/users/", headers={"Authorization": lower_case_scheme})
    assert reply.status == 200, reply.text


@pytest.mark.parametrize("code", sorted(SHAPE_CALLS))
async def test_every_operation_refuses_missing_credentials_and_changes_nothing(cid, anonymous, code):
    async with unchanged(cid):
        expect_authentication_failed(await shape_call(anonymous, SHAPE_CALLS[code]))


@pytest.mark.parametrize("code", WRITES)
async def test_writes_with_a_wrong_password_change_nothing(cid, code):
    async with unchanged(cid):
        expect_authentication_failed(
            await shape_call(
                cid,
                SHAPE_CALLS[code],
                headers={**SHAPE_CALLS[code].headers(), "Authorization": basic("restuser", "wrong")},
            )
        )


async def test_url_parameter_credentials_are_accepted(anonymous):
    reply = await anonymous.get("/users/", params={"username": "restuser", "password": "secret"})
    assert reply.status == 200, reply.text
    assert MAIJA in reply.ids


async def test_url_parameter_credentials_on_a_write_are_not_stored_as_attributes(cid, anonymous):
    reply = await anonymous.put(
        USER_URL, params={"firstname": "Maija-Liisa", "username": "restuser", "password": "secret"}
    )
    assert reply.status == 200, reply.text
    attributes = (await cid.get(USER_URL)).attributes
    assert attributes["firstname"] == ["Maija-Liisa"]
    assert "username" not in attributes and "password" not in attributes


BAD_URL_CREDENTIALS = {
    "wrong password": {"username": "restuser", "password": "wrong"},
    "wrong user": {"username": "nobody", "password": "secret"},
    "both empty": {"username": "", "password": ""},
    "username only": {"username": "restuser"},
    "password only": {"password": "secret"},
}


def query_pairs(params: dict) -> list[tuple[str, str]]:
    return [
        (name, value) for name, values in params.items() for value in (values if isinstance(values, list) else [values])
    ]


@pytest.mark.parametrize("label", sorted(BAD_URL_CREDENTIALS))
async def test_bad_url_parameter_credentials_are_authentication_failed(cid, anonymous, label):
    async with unchanged(cid):
        expect_authentication_failed(await anonymous.get("/users/", params=query_pairs(BAD_URL_CREDENTIALS[label])))
        expect_authentication_failed(
            await anonymous.put(USER_URL, params=[("firstname", "Changed"), *query_pairs(BAD_URL_CREDENTIALS[label])])
        )


async def test_wrong_header_fails_even_with_right_url_parameters(cid, anonymous):
    async with unchanged(cid):
        expect_authentication_failed(
            await anonymous.put(
                USER_URL,
                params={"firstname": "Changed", "username": "restuser", "password": "secret"},
                headers={"Authorization": basic("restuser", "wrong")},
            )
        )


# --------------------------------------------------------------------------- routing

UNKNOWN_PATHS = [
    "/nothing",
    "/user",
    "/Users/",
    "/organisations/",
    f"/users/{MAIJA}/nothing",
    f"/users/{MAIJA}/roles/{SALES_MANAGER}",
    f"/organizations/{ACME}/users/{MAIJA}",
    f"/organizations/{ACME}/givenmandates/extra",
    "/roles/a/b/c",
    "/users//roles",
    "/",
    "",
]


@pytest.mark.parametrize("path", UNKNOWN_PATHS)
async def test_unknown_path_is_entity_not_found(cid, path):
    expect_error(await cid.get(path), 404, 7)


@pytest.mark.parametrize(
    "prefix", ["/customerid-rest/services/9.9", "/customerid-rest/services", "/customerid-rest/services/2.1x"]
)
async def test_unknown_version_or_base_is_entity_not_found(cid, prefix):
    url = cid.emulator.url + prefix + "/users/"
    async with cid.session.get(url) as response:
        reply = checked(Reply(response.status, dict(response.headers), await response.read()), url)
    expect_error(reply, 404, 7)


def served_methods() -> dict[str, set[str]]:
    """Path template -> the methods endpoints.yaml serves on it."""
    served: dict[str, set[str]] = {}
    for operation in operations().values():
        served.setdefault(operation.path.rstrip("/") or "/", set()).add(operation.method)
    return served


WRONG_METHODS = sorted(
    (template, method)
    for template, methods in served_methods().items()
    for method in ("GET", "POST", "PUT", "PATCH", "DELETE")
    if method not in methods
)


def concrete(template: str) -> str:
    path = template
    for name, value in PATH_ID_VALUES.items():
        path = path.replace("{" + name + "}", value)
    assert "{" not in path, template
    return path


def test_every_path_template_has_a_wrong_method_case():
    assert {template for template, _ in WRONG_METHODS} == set(served_methods())


@pytest.mark.parametrize(("template", "method"), WRONG_METHODS)
async def test_wrong_method_is_method_not_allowed_with_allow(cid, template, method):
    async with unchanged(cid):
        reply = expect_error(await cid.call(method, concrete(template)), 405, 13)
    allow = {item.strip() for item in reply.headers.get("Allow", "").split(",") if item.strip()}
    assert allow == with_implicit_methods(served_methods()[template]), reply.headers


def with_implicit_methods(methods: set[str]) -> set[str]:
    """JAX-RS serves OPTIONS on every resource and HEAD wherever GET is served."""
    return methods | {"OPTIONS"} | ({"HEAD"} if "GET" in methods else set())


@pytest.mark.parametrize("template", sorted(served_methods()))
async def test_options_answers_allow_without_a_body(cid, template):
    async with unchanged(cid):
        reply = await cid.call("OPTIONS", concrete(template))
    assert reply.status == 200 and reply.body == b""
    allow = {item.strip() for item in reply.headers["Allow"].split(",")}
    assert allow == with_implicit_methods(served_methods()[template])


@pytest.mark.parametrize("template", sorted(t for t, methods in served_methods().items() if "GET" in methods))
async def test_head_is_get_without_the_body(cid, template):
    get = await cid.call("GET", concrete(template))
    head = await cid.call("HEAD", concrete(template))
    assert (head.status, head.body) == (get.status, b"")
    assert head.headers["Content-Type"] == get.headers["Content-Type"]


# --------------------------------------------------------------------------- body size

OVERSIZED = {
    "PATCH124 json": ("PATCH", USER_URL, "application/json", b'{"firstname": "' + b"a" * LIMIT + b'"}'),
    "PATCH124 xml": (
        "PATCH",
        USER_URL,
        "application/xml",
        f'<UserRequest xmlns="{NS[1:-1]}"><firstname>'.encode() + b"a" * LIMIT + b"</firstname></UserRequest>",
    ),
    "PATCH124 form": ("PATCH", USER_URL, "application/x-www-form-urlencoded", b"firstname=" + b"a" * LIMIT),
    "PUT103": ("PUT", USER_URL, "application/x-www-form-urlencoded", b"firstname=" + b"a" * LIMIT),
    "POST100": ("POST", "/organizations/", "application/octet-stream", b"\0" * (LIMIT + 1)),
    "PUT101": ("PUT", f"/organizations/{ACME}", "text/plain", b"a" * (LIMIT + 1)),
}


@pytest.mark.parametrize("label", sorted(OVERSIZED))
async def test_body_over_one_mebibyte_is_413_invalid_arguments(cid, label):
    method, path, content_type, body = OVERSIZED[label]
    assert len(body) > LIMIT
    async with unchanged(cid):
        expect_error(await cid.call(method, path, data=body, headers={"Content-Type": content_type}), 413, 1)


async def test_body_of_exactly_one_mebibyte_is_accepted(cid):
    document = b'{"firstname": "Mebi"}'
    body = document[:-1] + b" " * (LIMIT - len(document)) + b"}"
    assert len(body) == LIMIT
    reply = await cid.patch(USER_URL, data=body, headers={"Content-Type": "application/json"})
    assert reply.status == 200, reply.text
    assert (await cid.get(USER_URL)).attribute("firstname") == "Mebi"


# --------------------------------------------------------------------------- values
#
# (label, method, path, the parameter that carries the bad value, other parameters)
VALUE_TARGETS = {
    "GET104 search value": ("GET", "/users/", "firstname", {}),
    "GET113 search value": ("GET", f"/organizations/{ACME}/users", "surname", {}),
    "GET106 search value": ("GET", "/organizations/", "friendlyName", {}),
    "POST100 technicalName": ("POST", "/organizations/", "technicalName", {}),
    "POST100 friendlyName": ("POST", "/organizations/", "friendlyName", {"technicalName": "9999999-9"}),
    "POST100 custom attribute": ("POST", "/organizations/", "industry", {"technicalName": "9999999-9"}),
    "PUT101 friendlyName": ("PUT", f"/organizations/{ACME}", "friendlyName", {}),
    "PUT103 firstname": ("PUT", USER_URL, "firstname", {}),
    "PUT103 custom attribute": ("PUT", USER_URL, "department", {}),
    "PUT103 status": ("PUT", USER_URL, "status", {}),
}
CONTROL_VALUES = {"NUL": "\x00", "SOH": "\x01", "US": "a\x1fb", "VT": "a\x0bb", "U+FFFE": "a\ufffeb"}


@pytest.mark.parametrize("character", sorted(CONTROL_VALUES))
@pytest.mark.parametrize("target", sorted(VALUE_TARGETS))
async def test_control_characters_in_values_are_invalid_arguments(cid, target, character):
    method, path, name, others = VALUE_TARGETS[target]
    async with unchanged(cid):
        expect_error(await cid.call(method, path, params={**others, name: CONTROL_VALUES[character]}), 400, 1)


@pytest.mark.parametrize("path", ["/users/", "/roles", f"/users/{MAIJA}", f"/organizations/{ACME}/givenmandates"])
@pytest.mark.parametrize("name", ["\x00", "a\x01b", "x\ufffe"])
async def test_control_characters_in_parameter_names_are_invalid_arguments(cid, path, name):
    """The error message names the parameter: it must still be a well-formed document."""
    expect_error(await cid.get(path, params={name: "x"}), 400, 1)


@pytest.mark.parametrize("code", sorted(c for c in SHAPE_CALLS if "{" in operations()[c].path))
@pytest.mark.parametrize("escaped", ["%00", "%01", "a%1Fb", "%EF%BF%BE"])
async def test_control_characters_in_path_ids_are_entity_not_found(cid, code, escaped):
    call = SHAPE_CALLS[code]
    path = operations()[code].path.split("{")[0] + escaped + operations()[code].path.split("}", 1)[1]
    async with unchanged(cid):
        expect_error(await raw(cid, call.method, path, data=call.body, headers=call.headers()), 404, 7)


async def test_error_message_shows_characters_xml_cannot_carry_escaped(cid):
    reply = expect_error(await raw(cid, "GET", "/users/a%01b%EF%BF%BEc"), 404, 7)
    assert "a\\x01b\\ufffec" in reply.root.findtext("message"), reply.text
    reply = expect_error(await cid.get("/roles", params={"x\x00y": "1"}), 400, 1)
    assert "x\\x00y" in reply.root.findtext("message"), reply.text


async def test_request_line_over_8_kib_is_refused_by_the_http_layer(cid):
    """docs/fidelity.md: the server's own limit, a 400 (not the error document, as
    with Tomcat's maxHttpHeaderSize); never a 500."""
    async with unchanged(cid):
        reply = await cid.put(USER_URL, params={"firstname": "ä" * MAX_VALUE})
    assert reply.status == 400, reply.text[:300]
    assert "Traceback" not in reply.text


@pytest.mark.parametrize("target", sorted(VALUE_TARGETS))
async def test_values_over_4096_characters_are_invalid_arguments(cid, target):
    method, path, name, others = VALUE_TARGETS[target]
    async with unchanged(cid):
        expect_error(await cid.call(method, path, params={**others, name: "a" * (MAX_VALUE + 1)}), 400, 1)


async def test_value_of_4096_characters_is_accepted(cid):
    # In a URL only ASCII fits: 4096 escaped non-ASCII characters exceed the 8 KiB
    # request line (aiohttp's limit, and Tomcat's default).
    reply = await cid.put(USER_URL, params={"firstname": "a" * MAX_VALUE})
    assert reply.status == 200, reply.text
    assert (await cid.get(USER_URL)).attribute("firstname") == "a" * MAX_VALUE
    reply = await cid.patch(
        USER_URL, data=json.dumps({"surname": "ä" * MAX_VALUE}).encode(), headers={"Content-Type": "application/json"}
    )
    assert reply.status == 200, reply.text
    assert (await cid.get(USER_URL)).attribute("surname") == "ä" * MAX_VALUE


async def test_parameter_name_over_4096_characters_is_invalid_arguments(cid):
    async with unchanged(cid):
        expect_error(await cid.get("/users/", params={"a" * (MAX_VALUE + 1): "x"}), 400, 1)
        expect_error(await cid.put(USER_URL, params={"a" * (MAX_VALUE + 1): "x"}), 400, 1)


@pytest.mark.parametrize("code", sorted(c for c in SHAPE_CALLS if "{" in operations()[c].path))
@pytest.mark.parametrize(
    "bad_id",
    [
        "not-a-uuid",
        "12345",
        MAIJA + "0",
        MAIJA[:-1],
        MAIJA.replace("-", ""),
        "{" + MAIJA + "}",
        "zzzzzzzz-zzzz-4zzz-8zzz-zzzzzzzzzzzz",
        "a" * 5000,
    ],
)
async def test_invalid_uuid_in_path_is_entity_not_found(cid, code, bad_id):
    call = SHAPE_CALLS[code]
    template = operations()[code].path
    path = template.split("{")[0] + bad_id + template.split("}", 1)[1]
    async with unchanged(cid):
        expect_error(await shape_call(cid, call, path=path), 404, 7)


# maxResults: "Integer" (a Java int on the real server).
# Python's int() would take the last three; Integer.parseInt refuses them.
BAD_INTEGERS = ["abc", "1.5", "", "-1", "0x10", "1e3", "ten", "٣x", "1_000", " 5", "2147483648"]


@pytest.mark.parametrize("value", BAD_INTEGERS)
@pytest.mark.parametrize("path", ["/users/", f"/organizations/{ACME}/users"])
async def test_non_numeric_max_results_is_invalid_arguments(cid, path, value):
    expect_error(await cid.get(path, params={"maxResults": value}), 400, 1)


async def test_numeric_max_results_is_accepted(cid):
    reply = await cid.get("/users/", params={"maxResults": "2"})
    assert reply.status == 200 and len(reply.ids) == 2, reply.text


# Boolean parameters per operation: (method, path, parameter, other parameters).
BOOLEAN_TARGETS = {
    "GET104 exactMatch": ("GET", "/users/", "exactMatch", {"firstname": "Maija"}),
    "GET106 exactMatch": ("GET", "/organizations/", "exactMatch", {"technicalName": "sales"}),
    "GET113 exactMatch": ("GET", f"/organizations/{ACME}/users", "exactMatch", {}),
    "GET113 recursive": ("GET", f"/organizations/{ACME}/users", "recursive", {}),
    "GET110 entities": ("GET", "/mandates/", "entities", {}),
    "GET111 entities": ("GET", f"/mandates/{MANDATE_ACME_TO_SARI}", "entities", {}),
    "GET118 entities": ("GET", f"/organizations/{ACME}/givenmandates", "entities", {}),
    "GET119 entities": ("GET", f"/organizations/{GLOBEX}/receivedmandates", "entities", {}),
    "GET120 entities": ("GET", f"/users/{MAIJA}/givenmandates", "entities", {}),
    "GET121 entities": ("GET", f"/users/{MATTI}/receivedmandates", "entities", {}),
    "GET122 entities": ("GET", f"/users/{MATTI}/receivedmandatedelegations", "entities", {}),
    "POST100 virtual": ("POST", "/organizations/", "virtual", {"technicalName": "9999999-9"}),
    "PUT103 pwd.activated": ("PUT", USER_URL, "pwd.activated", {}),
}


@pytest.mark.parametrize("value", ["maybe", "2", "", "tru", "true false"])
@pytest.mark.parametrize("target", sorted(BOOLEAN_TARGETS))
async def test_invalid_boolean_is_invalid_arguments(cid, target, value):
    method, path, name, others = BOOLEAN_TARGETS[target]
    async with unchanged(cid):
        expect_error(await cid.call(method, path, params={**others, name: value}), 400, 1)


# Percent-encoding garbage: an escape that is not % + two hex digits, or escapes
# that do not decode to UTF-8 (a lone byte, an overlong form, a surrogate).
GARBAGE_ESCAPES = ["%ZZ", "%", "%4", "a%2", "%G1", "%FF", "%C3", "%E4", "%C0%80", "%ED%A0%80"]


@pytest.mark.parametrize("garbage", GARBAGE_ESCAPES)
async def test_percent_encoding_garbage_in_query_value_is_invalid_arguments(cid, garbage):
    expect_error(await raw(cid, "GET", f"/users/?firstname={garbage}"), 400, 1)


@pytest.mark.parametrize("garbage", ["%ZZ", "%FF", "%E4", "%ED%A0%80"])
async def test_percent_encoding_garbage_in_writes_changes_nothing(cid, garbage):
    async with unchanged(cid):
        expect_error(await raw(cid, "PUT", f"{USER_URL}?firstname=Ma{garbage}ija"), 400, 1)
        expect_error(await raw(cid, "PUT", f"/organizations/{ACME}?friendlyName={garbage}"), 400, 1)
        expect_error(await raw(cid, "POST", f"/organizations/?technicalName=x{garbage}"), 400, 1)
        expect_error(
            await raw(
                cid,
                "PATCH",
                USER_URL,
                data=f"firstname=Ma{garbage}ija".encode(),
                headers={"Content-Type": "application/x-www-form-urlencoded"},
            ),
            400,
            1,
        )


@pytest.mark.parametrize("garbage", ["%ZZ", "%FF", "%", "%ED%A0%80"])
async def test_percent_encoding_garbage_in_path_is_entity_not_found(cid, garbage):
    async with unchanged(cid):
        expect_error(await raw(cid, "GET", f"/users/{garbage}"), 404, 7)
        expect_error(await raw(cid, "PUT", f"/organizations/{garbage}?friendlyName=x"), 404, 7)


async def test_well_formed_percent_encoding_is_decoded(cid):
    """Control for the garbage cases: proper UTF-8 escapes work in queries and forms."""
    reply = await raw(cid, "GET", "/users/?surname=Meik%C3%A4l%C3%A4inen&exactMatch=true")
    assert reply.status == 200 and reply.ids == [MATTI], reply.text
    reply = await raw(cid, "GET", "/users/?firstname=%4D%61ija")
    assert reply.status == 200 and reply.ids == [MAIJA], reply.text
    reply = await raw(
        cid,
        "PATCH",
        USER_URL,
        data=b"surname=Virtanen%2BM%C3%A4ki+Oja",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert reply.status == 200, reply.text
    assert (await cid.get(USER_URL)).attribute("surname") == "Virtanen+Mäki Oja"


# --------------------------------------------------------------------------- bodies (PATCH124)

NS_URI = NS[1:-1]
XML_BAD = {
    "empty": b"",
    "not XML": b"firstname=Changed",
    "text only": b"Changed",
    "truncated": f'<UserRequest xmlns="{NS_URI}"><firstname>Changed</firstname>'.encode(),
    "mismatched tags": f'<UserRequest xmlns="{NS_URI}"><firstname>Changed</surname></UserRequest>'.encode(),
    "two roots": f'<UserRequest xmlns="{NS_URI}"/><UserRequest xmlns="{NS_URI}"/>'.encode(),
    "control character reference": (
        f'<UserRequest xmlns="{NS_URI}"><firstname>a&#1;b</firstname></UserRequest>'
    ).encode(),
    "undeclared entity": f'<UserRequest xmlns="{NS_URI}"><firstname>&nbsp;</firstname></UserRequest>'.encode(),
    "not UTF-8": f'<UserRequest xmlns="{NS_URI}"><firstname>'.encode() + b"\xe4\xff" + b"</firstname></UserRequest>",
    "DOCTYPE": (
        f'<!DOCTYPE UserRequest><UserRequest xmlns="{NS_URI}"><firstname>Changed</firstname></UserRequest>'
    ).encode(),
    "internal entity": (
        f'<!DOCTYPE UserRequest [<!ENTITY name "Changed">]>'
        f'<UserRequest xmlns="{NS_URI}"><firstname>&name;</firstname></UserRequest>'
    ).encode(),
    "billion laughs": (
        '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        + "".join(f'<!ENTITY lol{n} "{("&lol" + (str(n - 1) if n > 1 else "") + ";") * 10}">' for n in range(1, 10))
        + f']><UserRequest xmlns="{NS_URI}"><firstname>&lol9;</firstname></UserRequest>'
    ).encode(),
    "external entity": (
        f'<!DOCTYPE UserRequest [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
        f'<UserRequest xmlns="{NS_URI}"><firstname>&xxe;</firstname></UserRequest>'
    ).encode(),
    "external DTD": (
        f'<!DOCTYPE UserRequest SYSTEM "file:///etc/passwd">'
        f'<UserRequest xmlns="{NS_URI}"><firstname>Changed</firstname></UserRequest>'
    ).encode(),
    "parameter entity": (
        f'<!DOCTYPE UserRequest [<!ENTITY % p SYSTEM "file:///etc/passwd"> %p;]>'
        f'<UserRequest xmlns="{NS_URI}"><firstname>Changed</firstname></UserRequest>'
    ).encode(),
    "wrong root User": f'<User xmlns="{NS_URI}"><firstname>Changed</firstname></User>'.encode(),
    "wrong root UserResponse": f'<UserResponse xmlns="{NS_URI}"><firstname>Changed</firstname></UserResponse>'.encode(),
    "wrong root UserPatchRequest": (
        f'<UserPatchRequest xmlns="{NS_URI}"><firstname>Changed</firstname></UserPatchRequest>'
    ).encode(),
    "wrong namespace": b'<UserRequest xmlns="http://example.org/other"><firstname>Changed</firstname></UserRequest>',
    "namespace of another version": (
        f'<UserRequest xmlns="{NS_URI}/2.0"><firstname>Changed</firstname></UserRequest>'
    ).encode(),
    "field in another namespace": (
        f'<UserRequest xmlns="{NS_URI}"><firstname xmlns="http://example.org/other">Changed</firstname></UserRequest>'
    ).encode(),
    "unknown field": f'<UserRequest xmlns="{NS_URI}"><nickname>Changed</nickname></UserRequest>'.encode(),
    "field twice": (
        f'<UserRequest xmlns="{NS_URI}"><firstname>Changed</firstname><firstname>Again</firstname></UserRequest>'
    ).encode(),
    "field with element content": (
        f'<UserRequest xmlns="{NS_URI}"><firstname><b>Changed</b></firstname></UserRequest>'
    ).encode(),
    "customAttributes with a stray element": (
        f'<UserRequest xmlns="{NS_URI}"><customAttributes><department>'
        "Changed</department></customAttributes></UserRequest>"
    ).encode(),
    "custom attribute without a name": (
        f'<UserRequest xmlns="{NS_URI}"><customAttributes><attribute>'
        "<value>Changed</value></attribute></customAttributes></UserRequest>"
    ).encode(),
    "bad boolean": f'<UserRequest xmlns="{NS_URI}"><pwd.activated>maybe</pwd.activated></UserRequest>'.encode(),
    "value over 4096 characters": (
        f'<UserRequest xmlns="{NS_URI}"><firstname>{"a" * (MAX_VALUE + 1)}</firstname></UserRequest>'
    ).encode(),
}


@pytest.mark.parametrize("label", sorted(XML_BAD))
async def test_bad_xml_body_is_invalid_arguments(cid, label):
    async with unchanged(cid):
        reply = expect_error(
            await cid.patch(USER_URL, data=XML_BAD[label], headers={"Content-Type": "application/xml"}), 400, 1
        )
    assert "root:" not in reply.text  # nothing of /etc/passwd comes back


JSON_BAD = {
    "empty": b"",
    "truncated": b'{"firstname": "Changed"',
    "not JSON": b"firstname=Changed",
    "single quotes": b"{'firstname': 'Changed'}",
    "trailing comma": b'{"firstname": "Changed",}',
    "unquoted value": b'{"firstname": Changed}',
    "not UTF-8": b'{"firstname": "\xe4\xff"}',
    "array instead of object": b'["firstname", "Changed"]',
    "empty array": b"[]",
    "string instead of object": b'"Changed"',
    "number instead of object": b"5",
    "null instead of object": b"null",
    "number for a string": b'{"firstname": 5}',
    "float for a string": b'{"firstname": 1.5}',
    "NaN for a string": b'{"firstname": NaN}',
    "array for a string": b'{"firstname": ["Changed"]}',
    "object for a string": b'{"firstname": {"value": "Changed"}}',
    "array for customAttributes": b'{"customAttributes": ["department", "Changed"]}',
    "string for customAttributes": b'{"customAttributes": "Changed"}',
    "number for a custom attribute": b'{"customAttributes": {"department": 5}}',
    "numbers in a custom attribute": b'{"customAttributes": {"department": ["Changed", 5]}}',
    "object for a custom attribute": b'{"customAttributes": {"department": {"v": "Changed"}}}',
    "unknown field": b'{"nickname": "Changed"}',
    "unconfigured custom attribute": b'{"customAttributes": {"shoesize": "44"}}',
    "bad boolean": b'{"pwd.activated": "maybe"}',
    "bad status": b'{"status": "Locked"}',
    "control character": b'{"firstname": "a\\u0001b"}',
    "value over 4096 characters": b'{"firstname": "' + b"a" * (MAX_VALUE + 1) + b'"}',
    # json.loads raises RecursionError on the first, and accepts the lone surrogate,
    # which no document can encode: both must be refused up front.
    "deeply nested": b'{"customAttributes": {"department": ' + b"[" * 100_000 + b"]" * 100_000 + b"}}",
    "lone surrogate": b'{"firstname": "\\ud800"}',
}


@pytest.mark.parametrize("label", sorted(JSON_BAD))
async def test_bad_json_body_is_invalid_arguments(cid, label):
    async with unchanged(cid):
        expect_error(
            await cid.patch(USER_URL, data=JSON_BAD[label], headers={"Content-Type": "application/json"}), 400, 1
        )


FORM_BAD = {
    "control character": b"firstname=a%01b",
    "value over 4096 characters": b"firstname=" + b"a" * (MAX_VALUE + 1),
    "unknown field": b"nickname=Changed",
    "bad boolean": b"pwd.activated=maybe",
    "bad status": b"status=Pending",
}


@pytest.mark.parametrize("label", sorted(FORM_BAD))
async def test_bad_form_body_is_invalid_arguments(cid, label):
    async with unchanged(cid):
        expect_error(
            await cid.patch(
                USER_URL, data=FORM_BAD[label], headers={"Content-Type": "application/x-www-form-urlencoded"}
            ),
            400,
            1,
        )


VALID_BODY = {
    "application/xml": f'<UserRequest xmlns="{NS_URI}"><firstname>Changed</firstname></UserRequest>'.encode(),
    "application/json": b'{"firstname": "Changed"}',
    "application/x-www-form-urlencoded": b"firstname=Changed",
}

WRONG_CONTENT_TYPE = {
    "text/plain": ("text/plain", VALID_BODY["application/json"]),
    "octet-stream": ("application/octet-stream", VALID_BODY["application/json"]),
    "multipart": (
        "multipart/form-data; boundary=b",
        b'--b\r\nContent-Disposition: form-data; name="firstname"\r\n\r\nChanged\r\n--b--\r\n',
    ),
    "merge-patch JSON": ("application/merge-patch+json", VALID_BODY["application/json"]),
    "JSON patch": ("application/json-patch+json", b'[{"op": "replace", "path": "/firstname", "value": "Changed"}]'),
    "JSON body labelled XML": ("application/xml", VALID_BODY["application/json"]),
    "XML body labelled JSON": ("application/json", VALID_BODY["application/xml"]),
    "JSON body labelled form": ("application/x-www-form-urlencoded", VALID_BODY["application/json"]),
    "garbage type": ("not a media type", VALID_BODY["application/json"]),
}


@pytest.mark.parametrize("label", sorted(WRONG_CONTENT_TYPE))
async def test_wrong_content_type_is_invalid_arguments(cid, label):
    content_type, body = WRONG_CONTENT_TYPE[label]
    async with unchanged(cid):
        expect_error(await cid.patch(USER_URL, data=body, headers={"Content-Type": content_type}), 400, 1)


async def test_patch_without_a_body_or_content_type_is_invalid_arguments(cid):
    async with unchanged(cid):
        expect_error(await cid.patch(USER_URL), 400, 1)


async def test_patch_with_query_parameters_is_invalid_arguments(cid):
    async with unchanged(cid):
        expect_error(
            await cid.patch(
                USER_URL,
                params={"firstname": "Changed"},
                data=VALID_BODY["application/json"],
                headers={"Content-Type": "application/json"},
            ),
            400,
            1,
        )


@pytest.mark.parametrize("content_type", sorted(VALID_BODY))
async def test_valid_bodies_are_accepted(cid, content_type):
    """Control for the cases above: the same request with a good body works."""
    reply = await cid.patch(USER_URL, data=VALID_BODY[content_type], headers={"Content-Type": content_type})
    assert reply.status == 200, reply.text
    assert (await cid.get(USER_URL)).attribute("firstname") == "Changed"


# --------------------------------------------------------------------------- Unicode


async def test_non_ascii_technical_and_friendly_names_are_accepted(cid):
    """Entity names allow äöåÄÖÅ (data model page); friendly names are free text."""
    reply = await cid.post(
        "/organizations/",
        params={
            "technicalName": "Åbo Ärlig Öljy",
            "friendlyName": "Müller & Söhne – 北京 €",
            "parentOrganizationId": ACME,
        },
    )
    assert reply.status == 201, reply.text
    [new_id] = reply.ids
    attributes = (await cid.get(f"/organizations/{new_id}")).attributes
    assert attributes["entityName"] == ["1234567-8/Åbo Ärlig Öljy"]
    assert attributes["friendlyName"] == ["Müller & Söhne – 北京 €"]
    found = await cid.get("/organizations/", params={"technicalName": "åbo ärlig öljy", "exactMatch": "true"})
    assert found.ids == [new_id]


@pytest.mark.parametrize("technical_name", ["Müller", "Ωmega", "北京", "a/b", "x€"])
async def test_technical_name_outside_entity_name_characters_is_invalid_arguments(cid, technical_name):
    async with unchanged(cid):
        expect_error(await cid.post("/organizations/", params={"technicalName": technical_name}), 400, 1)


async def test_non_ascii_user_values_round_trip_through_every_write(cid):
    reply = await cid.put(USER_URL, params={"firstname": "Jääskeläinen", "department": "Myynti ja Öljy"})
    assert reply.status == 200, reply.text
    attributes = (await cid.get(USER_URL)).attributes
    assert attributes["firstname"] == ["Jääskeläinen"]
    assert attributes["department"] == ["Myynti ja Öljy"]

    reply = await cid.patch(
        USER_URL,
        data=json.dumps({"surname": "Åström"}, ensure_ascii=True).encode(),
        headers={"Content-Type": "application/json", "Accept": "application/json"},
    )
    assert reply.status == 200 and reply.json["surname"] == "Åström", reply.text

    reply = await cid.patch(
        USER_URL,
        data=json.dumps({"surname": "Öhman-Ärlig"}, ensure_ascii=False).encode(),
        headers={"Content-Type": "application/json"},
    )
    assert reply.status == 200, reply.text
    assert reply.root.findtext(f"{NS}surname") == "Öhman-Ärlig"

    body = (
        f'<?xml version="1.0" encoding="ISO-8859-1"?><UserRequest xmlns="{NS_URI}">'
        "<firstname>Åsa</firstname></UserRequest>"
    ).encode("iso-8859-1")
    reply = await cid.patch(USER_URL, data=body, headers={"Content-Type": "application/xml"})
    assert reply.status == 200, reply.text
    assert reply.root.findtext(f"{NS}firstname") == "Åsa"

    attributes = (await cid.get(USER_URL)).attributes
    assert attributes["firstname"] == ["Åsa"] and attributes["surname"] == ["Öhman-Ärlig"]


async def test_non_ascii_search_values_match_ignoring_case(cid):
    assert (await cid.get("/users/", params={"surname": "MEIKÄ"})).ids == [MATTI]
    assert (
        await cid.get(
            f"/organizations/{ACME}/users", params={"surname": "meikäläinen", "recursive": "true", "exactMatch": "true"}
        )
    ).ids == [MATTI]
