"""Secrets out before anything reaches the cassette.

By default: the Authorization, Proxy-Authorization, Cookie and Set-Cookie headers
(the scheme is kept, ``Basic [scrubbed]``, so a replay knows which credential to
put back); ``password``, ``username`` and token parameters (access_token,
refresh_token, id_token, client_secret, ...) in query strings and form bodies;
``pwd``/``password`` fields in JSON and XML bodies at any depth (CustomerID 1.x
sends ``<Attribute name="password">``, so an element whose ``name`` attribute is a
secret name is scrubbed too). Names compare case-insensitively; ``--scrub NAME``
adds headers and field names."""

from __future__ import annotations

import json
import re
from urllib.parse import parse_qsl, urlencode
from xml.etree import ElementTree

from defusedxml import ElementTree as SafeElementTree

MARK = "[scrubbed]"
SECRET_HEADERS = ("authorization", "proxy-authorization", "cookie", "set-cookie")
TOKENS = ("access_token", "refresh_token", "id_token", "client_secret", "client_assertion")
# query and form parameters (OAuth2 password grants, CustomerID form bodies; `token` is the one
# introspected or revoked, RFC 7662 / RFC 7009)
SECRET_PARAMETERS = ("password", "username", "pwd", "passwd", "newpassword", "oldpassword", "code", "token") + TOKENS
# JSON keys and XML elements/attributes at any depth: a DFS answer's UserName and an error's
# Code are data, not secrets
SECRET_FIELDS = ("password", "pwd", "passwd", "newpassword", "oldpassword") + TOKENS


class Scrubber:
    def __init__(self, extra: list[str] | tuple[str, ...] = ()) -> None:
        extra_folded = {name.casefold() for name in extra}
        self.headers = frozenset(SECRET_HEADERS) | extra_folded
        self.parameters = frozenset(SECRET_PARAMETERS) | extra_folded
        self.fields = frozenset(SECRET_FIELDS) | extra_folded

    def names(self) -> list[str]:
        return sorted(self.headers | self.parameters | self.fields)

    def is_secret(self, name: str) -> bool:
        return name.casefold() in self.fields

    def is_secret_parameter(self, name: str) -> bool:
        return name.casefold() in self.parameters

    def header_pairs(self, headers) -> list[tuple[str, str]]:
        scrubbed = []
        for name, value in headers:
            if name.casefold() in self.headers:
                scheme, _, rest = value.partition(" ")
                value = f"{scheme} {MARK}" if rest and name.casefold().endswith("authorization") else MARK
            scrubbed.append((name, value))
        return scrubbed

    def query(self, query: str) -> str:
        if not query:
            return query
        pairs = parse_qsl(query, keep_blank_values=True)
        if not any(self.is_secret_parameter(name) for name, _ in pairs):
            return query
        return urlencode([(name, MARK if self.is_secret_parameter(name) else value) for name, value in pairs])

    def body(self, body: bytes, media_type: str) -> bytes:
        if not body:
            return body
        try:
            if media_type == "application/x-www-form-urlencoded":
                return self.query(body.decode("utf-8")).encode("utf-8")
            if media_type.endswith("json"):
                document = json.loads(body)
                return (
                    json.dumps(self._json(document), ensure_ascii=False).encode("utf-8")
                    if self._json_has_secret(document)
                    else body
                )
            if media_type.endswith("xml"):
                return self._xml(body)
        except (ValueError, ElementTree.ParseError, UnicodeDecodeError):
            return body  # not what it says it is: written as received (and compared as such)
        except Exception:  # defusedxml refusals (entities, DTDs): such a body is not kept at all
            return MARK.encode("utf-8")
        return body

    def _json(self, value):
        if isinstance(value, dict):
            return {
                key: MARK if self.is_secret(key) and value is not None else self._json(item)
                for key, item in value.items()
            }
        if isinstance(value, list):
            return [self._json(item) for item in value]
        return value

    def _json_has_secret(self, value) -> bool:
        if isinstance(value, dict):
            return any(self.is_secret(key) or self._json_has_secret(item) for key, item in value.items())
        if isinstance(value, list):
            return any(self._json_has_secret(item) for item in value)
        return False

    def _xml(self, body: bytes) -> bytes:
        """Secrets are found on the parsed document, then replaced in the text as
        received: the recorded document keeps its prefixes, declaration and layout."""
        root = SafeElementTree.fromstring(body)
        names: set[str] = set()
        for element in root.iter():
            local = element.tag.rsplit("}", 1)[-1]
            named = element.get("name") or element.get("Name") or ""
            if self.is_secret(local) or self.is_secret(named):
                names.add(local if self.is_secret(local) else named)
            names.update(
                attribute.rsplit("}", 1)[-1]
                for attribute in element.attrib
                if self.is_secret(attribute.rsplit("}", 1)[-1])
            )
        if not names:
            return body
        text = body.decode("utf-8")
        for name in names:
            quoted = re.escape(name)
            # <password>x</password>, <ns:pwd>x</ns:pwd>
            text = re.sub(rf"(<(?:[\w.-]+:)?{quoted}\b[^>]*>)([^<]*)(</)", rf"\g<1>{MARK}\g<3>", text, flags=re.I)
            # <Attribute name="password"><Value>x</Value></Attribute>: every text inside
            text = re.sub(
                rf"(<((?:[\w.-]+:)?[\w.-]+)\b[^>]*\b[Nn]ame=[\"']{quoted}[\"'][^>]*>)(.*?)(</\2>)",
                lambda match: match.group(1) + re.sub(r">[^<]+<", f">{MARK}<", match.group(3)) + match.group(4),
                text,
                flags=re.I | re.S,
            )
            # password="x"
            text = re.sub(rf"(\s(?:[\w.-]+:)?{quoted}=)([\"'])[^\"']*\2", rf"\g<1>\g<2>{MARK}\g<2>", text, flags=re.I)
        return text.encode("utf-8")
