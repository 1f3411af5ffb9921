"""A CustomerID client for the tests: every XML answer it receives is validated
against the package's XSD (cid-2.1.xsd for 2.x documents, cid-1.2.xsd for 1.0
and 1.2 documents, customerid-error.xsd for errors), so no test can pass on a document the schema refuses."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import aiohttp
import xmlschema
from defusedxml.ElementTree import fromstring

import emulator.customerid as customerid_package

NS = "{http://schema.ubisecure.com/customerid/api}"
SCHEMAS = Path(customerid_package.__file__).resolve().parent / "schemas"

# Ids fixed in the default scenario (emulator/builtin_scenarios/default.yaml)
ACME = "11111111-1111-4111-8111-111111111111"
ACME_SALES = "11111111-1111-4111-8111-111111111112"
ACME_SALES_NORDICS = "11111111-1111-4111-8111-111111111113"
GLOBEX = "22222222-2222-4222-8222-222222222221"
PARTNERS = "33333333-3333-4333-8333-333333333331"
SALES_MANAGER = "44444444-4444-4444-8444-444444444441"
INVOICE_VIEWER = "44444444-4444-4444-8444-444444444442"
MAIJA = "aaaaaaaa-0000-4000-8000-000000000001"  # Enabled, acme
MATTI = "aaaaaaaa-0000-4000-8000-000000000002"  # Enabled, acme-sales
LIISA = "aaaaaaaa-0000-4000-8000-000000000003"  # Disabled, acme-sales-nordics
PEKKA = "aaaaaaaa-0000-4000-8000-000000000004"  # Locked, acme-support
ANNA = "aaaaaaaa-0000-4000-8000-000000000005"  # Pending, globex
VILLE = "aaaaaaaa-0000-4000-8000-000000000006"  # Waiting for registration (role invitations)
SARI = "aaaaaaaa-0000-4000-8000-000000000007"  # Enabled, globex
KALLE = "aaaaaaaa-0000-4000-8000-000000000008"  # Waiting for registration (mandate invitation)
OLLI = "aaaaaaaa-0000-4000-8000-000000000009"  # Enabled, Active Directory user
MANDATE_ACME_TO_SARI = "bbbbbbbb-0000-4000-8000-000000000001"  # OrgToPer
MANDATE_ACME_TO_GLOBEX = "bbbbbbbb-0000-4000-8000-000000000002"  # OrgToOrg
MANDATE_MAIJA_TO_MATTI = "bbbbbbbb-0000-4000-8000-000000000003"  # PerToPer
ROLE_DELEGATION_SARI_TO_ANNA = "cccccccc-0000-4000-8000-000000000001"
MANDATE_DELEGATION_MATTI_TO_LIISA = "cccccccc-0000-4000-8000-000000000002"
INVITATION_VILLE = "dddddddd-0000-4000-8000-000000000001"
UNKNOWN_ID = "99999999-9999-4999-8999-999999999999"


@lru_cache(maxsize=1)
def document_schema() -> xmlschema.XMLSchema10:
    return xmlschema.XMLSchema10(str(SCHEMAS / "cid-2.1.xsd"))


@lru_cache(maxsize=1)
def legacy_schema() -> xmlschema.XMLSchema10:
    """cid-1.2.xsd: the documents of REST 1.0 and the 1.2 API."""
    return xmlschema.XMLSchema10(str(SCHEMAS / "cid-1.2.xsd"))


LEGACY_VERSIONS = ("1.0", "1.2")


@lru_cache(maxsize=1)
def error_schema() -> xmlschema.XMLSchema10:
    return xmlschema.XMLSchema10(str(SCHEMAS / "customerid-error.xsd"))


@dataclass
class Reply:
    status: int
    headers: dict
    body: bytes
    root: object | None = None
    json: object | None = None
    meta: dict = field(default_factory=dict)

    @property
    def text(self) -> str:
        return self.body.decode()

    @property
    def tag(self) -> str:
        return self.root.tag.removeprefix(NS)

    @property
    def ids(self) -> list[str]:
        return [element.text for element in self.root.findall(f"{NS}Id")]

    @property
    def urls(self) -> list[str]:
        """1.x: the ``<Id>`` URLs of an idlist (or an entity's own)."""
        return [element.text for element in self.root.findall("Id")]

    @property
    def entities(self) -> list:
        """1.x: the entity elements of an entitylist."""
        return list(self.root)

    def field(self, name: str) -> str | None:
        """1.x: an entity's child element text."""
        return self.root.findtext(name)

    @property
    def attributes(self) -> dict[str, list[str]]:
        return {
            a.get("name"): [v.text or "" for v in a.findall(f"{NS}Value")] for a in self.root.findall(f"{NS}Attribute")
        }

    def attribute(self, name: str) -> str:
        return self.attributes[name][0]

    @property
    def error_code(self) -> int:
        assert self.root is not None and self.root.tag == "error", f"not an error document: {self.text}"
        return int(self.root.findtext("code"))

    @property
    def error_message(self) -> str:
        return self.root.findtext("message")

    def expect_error(self, status: int, code: int) -> Reply:
        assert (self.status, self.error_code) == (status, code), (self.status, self.text)
        return self


class CustomerIdClient:
    def __init__(self, emulator, session: aiohttp.ClientSession) -> None:
        self.emulator = emulator
        self.session = session

    def url(self, path: str, version: str = "2.1") -> str:
        return self.emulator.customerid_url(version) + path

    async def call(
        self, method: str, path: str, *, version: str = "2.1", params=None, data=None, headers=None
    ) -> Reply:
        """``headers`` override the session's (e.g. ``{"Authorization": ...}``)."""
        async with self.session.request(
            method, self.url(path, version), params=params, data=data, headers=headers
        ) as response:
            body = await response.read()
            reply = Reply(response.status, dict(response.headers), body)
        content_type = reply.headers.get("Content-Type", "")
        if body and "xml" in content_type:
            reply.root = fromstring(body)
            schema = (
                error_schema()
                if reply.root.tag == "error"
                else legacy_schema()
                if version in LEGACY_VERSIONS
                else document_schema()
            )
            errors = list(schema.iter_errors(body.decode()))
            assert not errors, f"{method} {path}: response does not validate against the XSD: {errors[0]}\n{reply.text}"
            assert (reply.status >= 400) == (reply.root.tag == "error"), f"status {reply.status} with {reply.text}"
        elif body and "json" in content_type:
            reply.json = json.loads(body)
        return reply

    async def get(self, path: str, **kwargs) -> Reply:
        return await self.call("GET", path, **kwargs)

    async def post(self, path: str, **kwargs) -> Reply:
        return await self.call("POST", path, **kwargs)

    async def put(self, path: str, **kwargs) -> Reply:
        return await self.call("PUT", path, **kwargs)

    async def patch(self, path: str, **kwargs) -> Reply:
        return await self.call("PATCH", path, **kwargs)

    async def delete(self, path: str, **kwargs) -> Reply:
        return await self.call("DELETE", path, **kwargs)


# -- helpers shared by the CustomerID test modules ---------------------------------------------


def role(cid, key: str) -> str:
    """Id of a role by its scenario key (roles made by organization types have no fixed id)."""
    return cid.emulator.id_of("role", key)


def user_name(cid, user_id: str) -> str:
    """A user's 1.0 entity name: ORG/…/NAME, NAME being the repository name (cn)."""
    model = cid.emulator.model()
    return model.user_entity_name(model.users.get(user_id))


def mandate_globex_to_kalle(cid) -> str:
    return cid.emulator.id_of("mandate", "globex-to-kalle")


def invitation_ville_acme_user(cid) -> str:
    return cid.emulator.id_of("roleInvitation", "ville-acme-user")


async def id_set(cid, path: str, tag: str, params=None) -> set[str]:
    """The ids of an id-list answer, which must be 200, of root ``tag``, without repeats."""
    reply = await cid.get(path, params=params)
    assert reply.status == 200, reply.text
    assert reply.tag == tag
    assert len(reply.ids) == len(set(reply.ids)), "duplicate ids"
    return set(reply.ids)


async def role_entity_names(cid) -> dict[str, str]:
    """GET108 + GET109: role id -> entityName for every role in the system."""
    names = {}
    for role_id in await id_set(cid, "/roles", "Roles"):
        reply = await cid.get(f"/roles/{role_id}")
        assert reply.status == 200, reply.text
        names[role_id] = reply.attribute("entityName")
    return names
