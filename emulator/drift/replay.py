"""Replaying a cassette against an emulator: in order, in a namespace of its own,
with the recorded ids swapped for the emulator's as they are learnt, so a
create → query → update → delete sequence addresses what the emulator created."""

from __future__ import annotations

import json
import re
import uuid
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, urlencode

import aiohttp
from yarl import URL

from .cassette import Exchange
from .diff import Difference, TreeComparer
from .documents import parse
from .recorder import HOP_BY_HOP
from .rules import Rules
from .scrub import MARK

UUID_ANYWHERE = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
NAMESPACE_HEADER = "X-Emulator-Namespace"


def _id_like(name: str) -> bool:
    folded = name.casefold()
    return folded in ("id", "uid", "cn") or folded.endswith(("id", "ids", "uid"))


class IdMap:
    """Recorded id -> emulator id. UUIDs are swapped wherever they appear;
    integer ids (DFS roles, members) only where an id stands: a whole path segment,
    an id-named query or form parameter, an id-named JSON member."""

    def __init__(self) -> None:
        self.ids: dict[str, str] = {}

    def learn(self, pairs: list[tuple[str, str]]) -> None:
        for recorded, emulated in pairs:
            self.ids[recorded.lower() if UUID_ANYWHERE.fullmatch(recorded) else recorded] = emulated

    def _uuid(self, match: re.Match) -> str:
        return self.ids.get(match.group().lower(), match.group())

    def text(self, text: str) -> str:
        return UUID_ANYWHERE.sub(self._uuid, text) if self.ids else text

    def path(self, path: str) -> str:
        if not self.ids:
            return path
        return "/".join(self.ids.get(segment, segment) if segment.isdigit() else self.text(segment)
                        for segment in path.split("/"))

    def query(self, query: str) -> str:
        if not self.ids or not query:
            return query
        pairs = parse_qsl(query, keep_blank_values=True)
        swapped = [(name, self.ids.get(value, value) if value.isdigit() and _id_like(name) else self.text(value))
                   for name, value in pairs]
        return urlencode(swapped) if swapped != pairs else query

    def body(self, body: bytes, media_type: str) -> bytes:
        if not self.ids or not body:
            return body
        if media_type.endswith("json"):
            try:
                document = json.loads(body)
            except ValueError:
                return body
            swapped = self._json(document, "")
            return json.dumps(swapped, ensure_ascii=False).encode("utf-8") if swapped != document else body
        if media_type == "application/x-www-form-urlencoded":
            return self.query(body.decode("utf-8", "replace")).encode("utf-8")
        return self.text(body.decode("utf-8", "replace")).encode("utf-8") if UUID_ANYWHERE.search(
            body.decode("utf-8", "replace")) else body

    def _json(self, value, name: str):
        if isinstance(value, dict):
            return {key: self._json(item, key) for key, item in value.items()}
        if isinstance(value, list):
            return [self._json(item, name) for item in value]
        if isinstance(value, int) and not isinstance(value, bool) and _id_like(name) and str(value) in self.ids:
            mapped = self.ids[str(value)]
            return int(mapped) if mapped.isdigit() else mapped
        if isinstance(value, str):
            return self.text(value)
        return value


@dataclass
class ExchangeResult:
    exchange: Exchange
    status: int | None = None
    differences: list[Difference] = field(default_factory=list)

    @property
    def matched(self) -> bool:
        return not self.differences


def compare_answer(exchange: Exchange, status: int, headers, body: bytes, rules: Rules) -> tuple[
        list[Difference], list[tuple[str, str]]]:
    """The differences between the recorded answer and this one, and the ids it pairs."""
    recorded = exchange.response
    media_type = (headers.get("Content-Type") or "").split(";")[0].strip().lower()
    if recorded.status != status:
        differences = [Difference("status", "", recorded.status, status)]
        # the error code says more than the status: compare it when both are error documents
        outcome = TreeComparer(rules, exchange.operation).compare(parse(recorded.raw_body, recorded.media_type),
                                                                   parse(body, media_type))
        differences += [difference for difference in outcome.differences if difference.kind == "error-code"]
        return differences, []
    differences = []
    if recorded.media_type != media_type and (recorded.raw_body.strip() or body.strip()):
        differences.append(Difference("content-type", "", recorded.media_type, media_type))
    for name in ("Location",):
        if (recorded.header(name) is None) != (headers.get(name) is None):
            differences.append(Difference("header", name, recorded.header(name), headers.get(name)))
    outcome = TreeComparer(rules, exchange.operation).compare(parse(recorded.raw_body, recorded.media_type),
                                                               parse(body, media_type))
    pairs = list(outcome.id_pairs)
    recorded_location, emulated_location = recorded.header("Location"), headers.get("Location")
    if recorded_location and emulated_location:
        pairs += [(a, b) for a, b in zip(recorded_location.rstrip("/").split("/"),
                                         emulated_location.rstrip("/").split("/"))
                  if a != b and (a.isdigit() or UUID_ANYWHERE.fullmatch(a))]
    return differences + outcome.differences, pairs


class Replayer:
    """Sends the cassette's requests to ``base_url`` in a fresh namespace."""

    def __init__(self, base_url: str, rules: Rules, customerid_credentials: tuple[str, str] | None,
                 control_token: str | None = None) -> None:
        self.base_url = base_url.rstrip("/")
        self.rules = rules
        self.credentials = customerid_credentials
        self.namespace = f"drift-{uuid.uuid4().hex[:12]}"
        self.control_headers = {NAMESPACE_HEADER: self.namespace}
        if control_token:
            self.control_headers["Authorization"] = f"Bearer {control_token}"
        self.ids = IdMap()
        self._dfs_token: str | None = None

    async def run(self, exchanges: list[Exchange]) -> list[ExchangeResult]:
        results = []
        async with aiohttp.ClientSession(auto_decompress=True) as session:
            try:
                for exchange in exchanges:
                    results.append(await self._replay(session, exchange))
            finally:
                async with session.delete(f"{self.base_url}/__emulator/namespaces/{self.namespace}",
                                          headers=self.control_headers):
                    pass
        return results

    async def _authorization(self, session: aiohttp.ClientSession, exchange: Exchange, value: str) -> str | None:
        """A scrubbed credential becomes one the emulator accepts, of the same scheme."""
        if MARK not in value:
            return value
        scheme = value.split(" ", 1)[0]
        if scheme.casefold() == "basic" and self.credentials:
            return aiohttp.encode_basic_auth(*self.credentials)
        if scheme.casefold() == "bearer":
            if self._dfs_token is None:
                async with session.post(f"{self.base_url}/__emulator/dfs/token", json={},
                                        headers=self.control_headers) as answer:
                    self._dfs_token = (await answer.json())["access_token"] if answer.status == 200 else ""
            return f"Bearer {self._dfs_token}"
        return None

    async def _replay(self, session: aiohttp.ClientSession, exchange: Exchange) -> ExchangeResult:
        request = exchange.request
        headers = {}
        for name, value in request.headers:
            folded = name.casefold()
            if folded in HOP_BY_HOP or folded in ("accept-encoding", "cookie", NAMESPACE_HEADER.casefold()):
                continue
            if folded == "authorization":
                value = await self._authorization(session, exchange, value)
                if value is None:
                    continue
            headers[name] = value
        headers[NAMESPACE_HEADER] = self.namespace
        path = self.ids.path(request.path)
        query = self.ids.query(request.query)
        body = self.ids.body(request.raw_body, request.media_type)
        url = URL(self.base_url + path + (f"?{query}" if query else ""), encoded=True)
        try:
            async with session.request(request.method, url, headers=headers, data=body or None,
                                       allow_redirects=False) as answer:
                answer_body = await answer.read()
                status, answer_headers = answer.status, answer.headers
        except (aiohttp.ClientError, TimeoutError) as error:  # the emulator dropped it: a severe drift
            return ExchangeResult(exchange, None, [Difference("transport", "", exchange.response.status,
                                                              f"no answer: {error or type(error).__name__}")])
        differences, pairs = compare_answer(exchange, status, answer_headers, answer_body, self.rules)
        self.ids.learn(pairs)
        return ExchangeResult(exchange, status, differences)
