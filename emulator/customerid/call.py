"""One CustomerID request as an operation sees it (``Call``), and the parameter
helpers the 2.x handlers (handlers.py) and the 1.x handlers (handlers1x.py) share:
both import this module, never each other."""

from __future__ import annotations

from aiohttp import web

from . import render12
from .entities import mandate_entity
from .entities12 import Links
from .models import CustomerIdModel
from .params import Parameters, query_parameters
from .render import XML_HEADERS, entity_document, entity_list, id_list

SERVICES_PREFIX = "/customerid-rest/services"


class Call:
    """One request as an operation sees it."""

    __slots__ = ("request", "model", "version", "path_params", "_params")

    def __init__(self, request: web.Request, model: CustomerIdModel, version: str, path_params: dict[str, str]) -> None:
        self.request = request
        self.model = model
        self.version = version
        self.path_params = path_params
        self._params: Parameters | None = None

    @property
    def params(self) -> Parameters:
        if self._params is None:
            self._params = query_parameters(self.request)
        return self._params

    def path_id(self, name: str) -> str:
        return self.path_params[name]

    @property
    def in_response_to(self) -> str:
        # The docs' most common form: the request path from the version on ("/2.1/users").
        return self.request.path.removeprefix(SERVICES_PREFIX)

    @property
    def wants_json(self) -> bool:
        accept = self.request.headers.get("Accept", "")
        return "application/json" in accept and "application/xml" not in accept

    def xml(self, body: bytes, status: int = 200) -> web.Response:
        return web.Response(body=body, status=status, headers=XML_HEADERS)

    def ids(self, element: str, ids, status: int = 200) -> web.Response:
        return self.xml(id_list(element, self.in_response_to, self.request.method, ids), status)

    def entity(self, entity, status: int = 200) -> web.Response:
        return self.xml(entity_document(entity, self.in_response_to, self.request.method), status)

    # -- the 1.2 document family (1.0 and 1.2 APIs) --
    @property
    def links(self):
        return Links(self.model, f"{self.request.scheme}://{self.request.host}")

    def idlist(self, urls, status: int = 200) -> web.Response:
        return self.xml(render12.idlist(urls), status)

    def entity12(self, entity) -> web.Response:
        return self.xml(render12.entity_document(entity))

    def collection12(self, records, as_entity, as_url) -> web.Response:
        """A 1.x collection: an ``<idlist>``, or with ``entities=true`` an ``<entitylist>``."""
        if self.params.boolean("entities"):
            self.params.reject_unknown()
            links = self.links
            return self.xml(render12.entitylist(as_entity(links, record) for record in records))
        self.params.reject_unknown()
        return self.idlist(as_url(record) for record in records)

    def mandates(self, ids: list[str]) -> web.Response:
        """GET110 and the mandate relation lists: ids, or entities with entities=true."""
        if self.params.boolean("entities"):
            self.params.reject_unknown()
            model = self.model
            entities = (mandate_entity(model, model.get_mandate(mandate_id)) for mandate_id in ids)
            return self.xml(entity_list("Mandates", self.in_response_to, "GET", entities))
        self.params.reject_unknown()
        return self.ids("Mandates", ids)


def organization_custom_attributes(params: Parameters) -> dict[str, tuple[str, ...]]:
    """Organization custom attributes: several values separated with commas; an
    empty value (no values) removes the attribute on update."""
    attributes = {}
    for name in params.remaining():
        joined = ",".join(params.all(name))
        attributes[name] = tuple(value.strip() for value in joined.split(",") if value.strip())
    return attributes
